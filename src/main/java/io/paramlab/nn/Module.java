package io.paramlab.nn;

import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import io.paramlab.tensor.ShapeException;

import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A node of the module tree, as torch.nn.Module: local parameters, buffers and children in
 * registration order. A shared module is one object reachable under several paths.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, TensorData> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Set<String> nonPersistent = new HashSet<>();
    private boolean training = true;

    /**
     * Whether a forward in training mode writes state (Dropout draws from the generator,
     * BatchNorm1d moves its running statistics); such forwards need the model's write lock.
     */
    protected boolean forwardWritesInTraining() {
        return false;
    }

    /** {@link #forwardWritesInTraining()} for this module or any under it. */
    public final boolean anyForwardWritesInTraining() {
        return namedModules().values().stream().anyMatch(Module::forwardWritesInTraining);
    }

    /** Whether this module holds parameters a first forward has yet to shape (a lazy layer's). */
    public boolean hasUninitializedParameters() {
        return false;
    }

    /** {@link #hasUninitializedParameters()} for this module or any under it. */
    public final boolean anyUninitializedParameters() {
        return namedModules().values().stream().anyMatch(Module::hasUninitializedParameters);
    }

    /**
     * PyTorch's lazy load hook: before a load, an uninitialized layer takes the shapes of the
     * values {@code state} has for it (keys under {@code prefix}). Answers why it cannot, or null.
     */
    public String materializeForLoad(String prefix, Map<String, TensorData> state) {
        return null;
    }

    /**
     * Rewrites the part of a state dict under {@code prefix} saved by an older version of this
     * module ({@code version} from the dict's {@code _metadata}, null without), as PyTorch's
     * {@code _load_from_state_dict} does before loading.
     */
    protected void upgradeStateDict(String prefix, Integer version, Map<String, TensorData> state) {
    }

    /**
     * PyTorch's class attribute {@code _version}, written into a saved state dict's
     * {@code _metadata} so a later release can upgrade old files; 1 unless a layer's format changed.
     */
    protected int stateDictVersion() {
        return 1;
    }

    /**
     * {@code state_dict()._metadata}: every module path under this one (a shared module under each,
     * {@code ""} for this one), parents first, with its {@code _version}.
     */
    public final Map<String, Integer> stateDictVersions() {
        Map<String, Integer> versions = new LinkedHashMap<>();
        forEachPath((path, module) -> versions.put(path, module.stateDictVersion()));
        return versions;
    }

    /** What a change may alter beyond parameter and buffer values (a lazy layer's shape), for rollback. */
    protected Object saveStructure() {
        return null;
    }

    protected void restoreStructure(Object saved) {
    }

    /** Everything {@link #saveStructure} saves for every module under this one, put back by {@link #restore}. */
    public final Runnable structureSnapshot() {
        Map<Module, Object> saved = new IdentityHashMap<>();
        namedModules().values().forEach(m -> saved.put(m, m.saveStructure()));
        return () -> saved.forEach(Module::restoreStructure);
    }

    /** The PyTorch class name, e.g. {@code Linear}. */
    public abstract String typeName();

    public abstract Tensor forward(Tensor input);

    /**
     * The forward as a graph calls it: positional and keyword values (tensors, ints, tuples as
     * lists, null); answers a tensor, a list for a tuple, or null. This default adapts the
     * one-tensor {@link #forward(Tensor)} of a simple layer, with Python's message otherwise.
     */
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty()) {
            throw new ShapeException("forward() got an unexpected keyword argument '" + kwargs.keySet().iterator().next() + "'");
        }
        if (args.size() != 1) {
            throw new ShapeException(args.isEmpty() ? "forward() missing 1 required positional argument: 'input'"
                    : "forward() takes 2 positional arguments but " + (args.size() + 1) + " were given");
        }
        if (!(args.get(0) instanceof Tensor input)) {
            throw new ShapeException(typeName() + ".forward() takes a tensor, got " + describe(args.get(0)));
        }
        return forward(input);
    }

    /** A value of a graph as Python names its type: {@code Tensor}, {@code int}, {@code tuple}, {@code NoneType}. */
    public static String describe(Object value) {
        if (value == null) return "NoneType";
        if (value instanceof Tensor) return "Tensor";
        if (value instanceof List<?>) return "tuple";
        if (value instanceof Long || value instanceof Integer) return "int";
        if (value instanceof Double) return "float";
        if (value instanceof Boolean) return "bool";
        if (value instanceof String) return "str";
        return value.getClass().getSimpleName();
    }

    /** The layer's own {@code reset_parameters()} for one local parameter, as a fresh layer draws it. */
    public void resetParameter(String name, Generator generator) {
        throw new IllegalArgumentException(typeName() + " has no parameter '" + name + "'");
    }

    /** What PyTorch's {@code extra_repr()} returns: the text inside the parentheses. */
    protected String extraRepr() {
        return "";
    }

    protected final Tensor registerParameter(String name, Tensor parameter) {
        parameters.put(name, parameter);
        return parameter;
    }

    /**
     * Whether this layer's forward reads its parameters by name, so that a tie (which replaces one)
     * is seen; layers that keep them in fields answer false and cannot be tied into.
     */
    protected boolean readsParametersByName() {
        return false;
    }

    /**
     * PyTorch's {@code module.name = other_param}: the local parameter {@code name} becomes
     * {@code parameter} (the same object, so its gradient sums both uses). Answers why not, or null.
     */
    public final String tieParameter(String name, Tensor parameter) {
        if (!parameters.containsKey(name)) {
            return typeName() + " has no parameter '" + name + "'";
        }
        if (!readsParametersByName()) {
            return "a parameter of " + typeName() + " cannot be tied (supported: Linear, Embedding, the recurrent layers, "
                    + "MultiheadAttention, LayerNorm and Module's own parameters)";
        }
        parameters.put(name, parameter);
        return null;
    }

    protected final TensorData registerBuffer(String name, TensorData buffer) {
        buffers.put(name, buffer);
        return buffer;
    }

    /** {@code register_buffer(name, tensor, persistent=False)}: a buffer that {@link #stateDict} leaves out. */
    protected final TensorData registerBuffer(String name, TensorData buffer, boolean persistent) {
        if (!persistent) {
            nonPersistent.add(name);
        }
        return registerBuffer(name, buffer);
    }

    protected final void addModule(String name, Module child) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module name can't be empty or contain \".\", got: " + name);
        }
        if (children.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists");
        }
        children.put(name, child);
    }

    public final Map<String, Tensor> localParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public final Map<String, TensorData> localBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** The module's mode, as {@code module.training}; false on a thread inside {@link #evalLike()}. */
    public final boolean isTraining() {
        return training && !EVAL_LIKE.get()[0];
    }

    private static final ThreadLocal<boolean[]> EVAL_LIKE = ThreadLocal.withInitial(() -> new boolean[1]);

    /** A scope closed by {@link #evalLike()}'s caller. */
    public interface EvalScope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Every module reads as in eval mode on this thread until the scope closes, without changing any
     * module's {@code training} flag: Dropout passes through without drawing and BatchNorm uses (and
     * does not move) its running statistics. For a dry forward that must change nothing, under a read lock.
     */
    public static EvalScope evalLike() {
        boolean[] on = EVAL_LIKE.get();
        boolean before = on[0];
        on[0] = true;
        return () -> on[0] = before;
    }

    /** {@code module.train(mode)}: this module and every module under it. */
    public final void train(boolean mode) {
        forEachPath((path, module) -> module.training = mode);
    }

    /** {@code named_modules()}: each module once, under the first path that reaches it, root first. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> named = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        forEachPath((path, module) -> {
            if (seen.add(module)) {
                named.put(path, module);
            }
        });
        return named;
    }

    /** {@code named_parameters()}: each parameter once, under its first name. */
    public final Map<String, Tensor> namedParameters() {
        return namedMembers(module -> module.parameters);
    }

    /** {@code named_buffers()}: each buffer once, under its first name. */
    public final Map<String, TensorData> namedBuffers() {
        return namedMembers(module -> module.buffers);
    }

    /** PyTorch's {@code _named_members}: modules in {@code named_modules} order, each member once by identity. */
    private <T> Map<String, T> namedMembers(Function<Module, Map<String, T>> members) {
        Map<String, T> named = new LinkedHashMap<>();
        Set<T> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((path, module) -> members.apply(module).forEach((local, member) -> {
            if (seen.add(member)) {
                named.put(qualify(path, local), member);
            }
        }));
        return named;
    }

    /** Every path of every module, a shared module under each of its paths, in state_dict order. */
    public final Map<String, Module> allModulePaths() {
        Map<String, Module> all = new LinkedHashMap<>();
        forEachPath(all::put);
        return all;
    }

    /** Every name of every parameter, duplicates included, in {@code state_dict} order. */
    public final Map<String, Tensor> allParameterNames() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        forEachPath((path, module) -> module.parameters.forEach((local, p) -> all.put(qualify(path, local), p)));
        return all;
    }

    /**
     * {@code state_dict()}: per module its parameters, then its buffers, then its children; a
     * shared module under every path it has. The values are live views, not copies.
     */
    public final Map<String, TensorData> stateDict() {
        Map<String, TensorData> state = new LinkedHashMap<>();
        forEachPath((path, module) -> {
            module.parameters.forEach((local, p) -> state.put(qualify(path, local), TensorData.of(p)));
            module.buffers.forEach((local, b) -> {
                if (!module.nonPersistent.contains(local)) {
                    state.put(qualify(path, local), b);
                }
            });
        });
        return state;
    }

    /**
     * {@code apply(fn)} as PyTorch 1.13 walks it: children before parents, recursing into
     * {@code children()}, which lists a module held twice by one parent once; a module held by two
     * different parents is visited under each of them, so it may be visited more than once.
     */
    public final void apply(Consumer<Module> fn) {
        Set<Module> children = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module child : this.children.values()) {
            if (children.add(child)) {
                child.apply(fn);
            }
        }
        fn.accept(this);
    }

    /** The module at a dotted path ({@code ""} is this one), or null. */
    public final Module submodule(String path) {
        if (path.isEmpty()) {
            return this;
        }
        Module module = this;
        for (String name : path.split("\\.", -1)) {
            module = module.children.get(name);
            if (module == null) {
                return null;
            }
        }
        return module;
    }

    /** PyTorch's {@code repr(module)}: children indented under the module's own line. */
    public final String repr() {
        if (children.isEmpty()) {
            return typeName() + "(" + extraRepr() + ")";
        }
        StringBuilder out = new StringBuilder(typeName()).append("(");
        String extra = extraRepr();
        if (!extra.isEmpty()) {
            out.append("\n  ").append(extra.replace("\n", "\n  "));
        }
        children.forEach((name, child) ->
                out.append("\n  (").append(name).append("): ").append(child.repr().replace("\n", "\n  ")));
        return out.append("\n)").toString();
    }

    /** Visits every (path, module) pair without dedup, parents before children, as state_dict walks. */
    private void forEachPath(PathVisitor visitor) {
        walk("", visitor);
    }

    private void walk(String path, PathVisitor visitor) {
        visitor.visit(path, this);
        children.forEach((name, child) -> child.walk(qualify(path, name), visitor));
    }

    public static String qualify(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    @FunctionalInterface
    private interface PathVisitor {
        void visit(String path, Module module);
    }
}
