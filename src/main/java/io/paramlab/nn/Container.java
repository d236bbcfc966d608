package io.paramlab.nn;

import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

/**
 * {@code nn.ModuleList} and {@code nn.ModuleDict} (or a subclass by {@code className}): named
 * children with no forward of their own, which a graph calls one by one.
 */
public final class Container extends Module {
    private final String className;
    private final int version;

    public Container(String className, int version) {
        this.className = className;
        this.version = version;
    }

    public Container add(String name, Module child) {
        addModule(name, child);
        return this;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    protected int stateDictVersion() {
        return version;
    }

    @Override
    public Tensor forward(Tensor input) {
        throw missingForward(className);
    }

    @Override
    public Object forward(java.util.List<Object> args, java.util.Map<String, Object> kwargs) {
        throw missingForward(className);
    }

    /** PyTorch's {@code _forward_unimplemented}. */
    public static ShapeException missingForward(String className) {
        return new ShapeException("Module [" + className + "] is missing the required \"forward\" function");
    }
}
