package io.paramlab.nn;

/**
 * What {@code nn.Sequential}, {@code nn.ModuleList} and {@code nn.ModuleDict} (and their subclasses, by
 * {@code className}) have in common: named children added in order, and the class name and state-dict
 * version they report. Each says what its forward does ({@link Sequential}) or that it has none ({@link Container}).
 */
public abstract class ChildList<S extends ChildList<S>> extends Module {
    private final String className;
    private final int version;

    ChildList(String className, int version) {
        this.className = className;
        this.version = version;
    }

    /** Registers {@code child} under {@code name} after the others (PyTorch's {@code add_module}); answers this. */
    @SuppressWarnings("unchecked")
    public final S add(String name, Module child) {
        addModule(name, child);
        return (S) this;
    }

    @Override
    public final String typeName() {
        return className;
    }

    @Override
    protected final int stateDictVersion() {
        return version;
    }
}
