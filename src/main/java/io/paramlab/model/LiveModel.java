package io.paramlab.model;

import io.paramlab.model.Views.BackwardResult;
import io.paramlab.model.Views.LoadResult;
import io.paramlab.model.Views.ModelInfo;
import io.paramlab.model.Views.ModuleInfo;
import io.paramlab.model.Views.ParameterInfo;
import io.paramlab.model.Views.ParameterPatch;
import io.paramlab.init.InitException;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.model.Views.Initialized;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InitSpec;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.SpecJson;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.Tensor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One model held by the service: its module tree, its generator and a read-write lock. Every
 * operation runs under the lock, so a client never sees another's write half done, and every
 * write validates first or restores what it touched, so a failed request changes nothing.
 */
public final class LiveModel {
    private final String id;
    private final Instant createdAt = Instant.now();
    private final ModelSpec spec;
    private final Module root;
    private final Generator generator;
    private final long parameterCount;
    private final boolean forwardWritesInTraining;   // the tree is fixed at construction, so this is too
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final long maxActivationElements;
    private String name;

    LiveModel(String id, ModelSpec spec, Module root, Generator generator, long maxActivationElements) {
        this.id = id;
        this.maxActivationElements = maxActivationElements;
        this.spec = spec;
        this.root = root;
        this.generator = generator;
        this.name = spec.name();
        this.parameterCount = root.namedParameters().values().stream().mapToLong(Tensor::numel).sum();
        this.forwardWritesInTraining = root.anyForwardWritesInTraining();
    }

    public String id() {
        return id;
    }

    public long parameterCount() {
        return parameterCount;
    }

    public String name() {
        return read(() -> name);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public ModelInfo info() {
        return read(this::snapshotInfo);
    }

    private ModelInfo snapshotInfo() {
        return new ModelInfo(id, name, createdAt, root.isTraining(), parameterCount, root.repr(), SpecJson.of(spec),
                generator.initialSeed());
    }

    /** {@code model.train(training)} and/or a new name. */
    public ModelInfo patch(Boolean training, String newName) {
        return write(() -> {
            if (training != null) {
                root.train(training);
            }
            if (newName != null) {
                name = newName;
            }
            return snapshotInfo();
        });
    }

    public List<ModuleInfo> modules() {
        return read(() -> {
            Map<Module, List<String>> paths = pathsByModule(root);
            List<ModuleInfo> out = new ArrayList<>();
            root.namedModules().forEach((path, module) -> {
                List<String> aliases = new ArrayList<>(paths.get(module));
                aliases.remove(path);
                out.add(new ModuleInfo(path, module.typeName(), module.repr(), aliases));
            });
            return out;
        });
    }

    /** {@code module(P).named_parameters()}, each tied parameter once with its other names as aliases. */
    public List<ParameterInfo> parameters(String modulePath, boolean withData, boolean withGrad) {
        return read(() -> {
            Module module = module(modulePath);
            Map<Tensor, List<String>> names = namesByParameter(module);
            List<ParameterInfo> out = new ArrayList<>();
            module.namedParameters().forEach((name, p) -> out.add(describe(name, p, names.get(p), withData, withGrad)));
            return out;
        });
    }

    /** One parameter by any of its names, with data and grad. */
    public ParameterInfo parameter(String name) {
        return read(() -> {
            Tensor p = parameterNamed(name);
            return describe(name, p, namesByParameter(root).get(p), true, true);
        });
    }

    public ParameterInfo patchParameter(String name, ParameterPatch patch) {
        return write(() -> {
            Tensor p = parameterNamed(name);
            int flat = -1;
            if (patch.index() != null) {
                flat = flatIndex(p.shape(), patch.index());
            }
            if (patch.data() != null) {
                requireShape("data", name, p.shape(), patch.data().shape());
            }
            // everything is checked: now write
            if (flat >= 0) {
                p.data()[flat] = patch.value();
            }
            if (patch.data() != null) {
                TensorData.of(p).copyFrom(patch.data());
            }
            if (patch.requiresGrad() != null) {
                p.setRequiresGrad(patch.requiresGrad());
            }
            return describe(name, p, namesByParameter(root).get(p), true, true);
        });
    }

    /** {@code module(P).state_dict()}, copied. */
    public Map<String, TensorData> stateDict(String modulePath) {
        return read(() -> {
            Map<String, TensorData> out = new LinkedHashMap<>();
            module(modulePath).stateDict().forEach((key, value) -> out.put(key, value.copy()));
            return out;
        });
    }

    /**
     * {@code module(P).load_state_dict(state, strict)}: every key and shape is checked before
     * anything is copied, so a refused load leaves the model as it was.
     */
    public LoadResult loadStateDict(String modulePath, Map<String, TensorData> state, boolean strict) {
        return write(() -> {
            Map<String, TensorData> own = module(modulePath).stateDict();
            List<String> missing = own.keySet().stream().filter(k -> !state.containsKey(k)).toList();
            List<String> unexpected = state.keySet().stream().filter(k -> !own.containsKey(k)).toList();
            List<String> sizeErrors = new ArrayList<>();
            own.forEach((key, target) -> {
                TensorData source = state.get(key);
                if (source != null && !target.sameShape(source)) {
                    sizeErrors.add("size mismatch for " + key + ": copying a param with shape "
                            + TensorData.torchSize(source.shape()) + " from checkpoint, the shape in current model is "
                            + TensorData.torchSize(target.shape()) + ".");
                }
            });
            if (!sizeErrors.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
                throw new UnprocessableException("", loadErrorMessage(missing, unexpected, sizeErrors, strict));
            }
            own.forEach((key, target) -> {
                TensorData source = state.get(key);
                if (source != null) {
                    target.copyFrom(source);
                }
            });
            return new LoadResult(missing, unexpected);
        });
    }

    private String loadErrorMessage(List<String> missing, List<String> unexpected, List<String> sizeErrors, boolean strict) {
        StringBuilder out = new StringBuilder("Error(s) in loading state_dict for " + root.typeName() + ":");
        if (strict && !missing.isEmpty()) {
            out.append("\n\tMissing key(s) in state_dict: ").append(quoted(missing)).append(". ");
        }
        if (strict && !unexpected.isEmpty()) {
            out.append("\n\tUnexpected key(s) in state_dict: ").append(quoted(unexpected)).append(". ");
        }
        sizeErrors.forEach(e -> out.append("\n\t").append(e));
        return out.toString();
    }

    private static String quoted(List<String> keys) {
        return String.join(", ", keys.stream().map(k -> "\"" + k + "\"").toList());
    }

    /**
     * {@code with torch.no_grad(): module(P)(input)}; in training mode buffers and the generator may
     * move, so a model with Dropout or BatchNorm1d takes the write lock then. Any other forward
     * only reads, and concurrent forwards on one model run in parallel.
     */
    public TensorData forward(String modulePath, TensorData input) {
        Supplier<TensorData> run = () -> {
            Module module = module(modulePath);
            try (GradMode.Scope noGrad = GradMode.noGrad(); Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
                return TensorData.of(module.forward(asTensor(input)));
            }
        };
        if (!forwardWritesInTraining) {
            return read(run);
        }
        // the mode is checked under the lock: a concurrent train() cannot slip in between
        TensorData inEval = read(() -> root.isTraining() ? null : run.get());
        return inEval != null ? inEval : write(() -> restoringOnFailure(run));
    }

    /** {@code loss_fn(model(input), target).backward()}: gradients accumulate into every parameter's grad. */
    public BackwardResult backward(TensorData input, TensorData target, Loss loss) {
        return write(() -> restoringOnFailure(() -> {
            try (Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
                Tensor output = root.forward(asTensor(input));
                Tensor value = LossFunctions.compute(loss, output, target);
                value.backward();
                return new BackwardResult(value.item(), TensorData.of(output));
            }
        }));
    }

    /** {@code zero_grad(set_to_none=False)}. */
    public void zeroGrad() {
        write(() -> {
            root.namedParameters().values().forEach(Tensor::zeroGrad);
            return null;
        });
    }

    /**
     * Applies init rules in order, each as {@code net[module].apply(fn)}. A failure anywhere
     * puts back every parameter touched so far and the generator: the request changes nothing.
     */
    public List<Initialized> init(InitSpec request) {
        return write(() -> {
            request.rules().forEach(rule -> module(rule.module()));   // every path is checked before anything is drawn
            Map<Tensor, float[]> saved = new IdentityHashMap<>();
            Generator generatorBefore = generator.copy();
            try {
                if (request.seed() != null) {
                    generator.manualSeed(request.seed());
                }
                Map<Module, String> firstPath = new IdentityHashMap<>();
                root.namedModules().forEach((path, m) -> firstPath.put(m, path));
                List<Initialized> done = new ArrayList<>();
                for (int i = 0; i < request.rules().size(); i++) {
                    InitSpec.Rule rule = request.rules().get(i);
                    String field = "rules[" + i + "].params";
                    root.submodule(rule.module()).apply(m -> {
                        if (rule.layerTypes() == null || rule.layerTypes().contains(m.typeName())) {
                            rule.params().forEach((local, policy) -> {
                                Tensor p = m.localParameters().get(local);
                                if (p != null) {
                                    String name = Module.qualify(firstPath.get(m), local);
                                    saved.computeIfAbsent(p, k -> p.data().clone());
                                    initialize(m, local, p, policy, name, field + "." + local);
                                    done.add(new Initialized(name, p.shape(), policy.type()));
                                }
                            });
                        }
                    });
                }
                return done;
            } catch (RuntimeException e) {
                saved.forEach((p, data) -> System.arraycopy(data, 0, p.data(), 0, data.length));
                generator.restore(generatorBefore);
                throw e;
            }
        });
    }

    private void initialize(Module module, String local, Tensor p, InitPolicy policy, String name, String field) {
        try {
            if (policy instanceof InitPolicy.Default) {
                module.resetParameter(local, generator);
            } else {
                Initializer.apply(policy, p.data(), p.shape(), generator);
            }
        } catch (InitException e) {
            throw new UnprocessableException(field, name + ": " + e.getMessage());
        }
    }

    /** Runs a mutation; if it fails, puts the buffers and the generator back as they were. */
    private <T> T restoringOnFailure(Supplier<T> mutation) {
        List<TensorData[]> buffers = new ArrayList<>();
        root.namedModules().values().forEach(m -> m.localBuffers().values().forEach(b -> buffers.add(new TensorData[] {b, b.copy()})));
        Generator generatorBefore = generator.copy();
        try {
            return mutation.get();
        } catch (RuntimeException e) {
            buffers.forEach(pair -> pair[0].copyFrom(pair[1]));
            generator.restore(generatorBefore);
            throw e;
        }
    }

    // ---- lookups (callers hold the lock)

    Module module(String path) {
        Module module = root.submodule(path == null ? "" : path);
        if (module == null) {
            throw new NotFoundException("module", "no module \"" + path + "\" in model " + id + "; modules: "
                    + String.join(", ", root.namedModules().keySet().stream().filter(p -> !p.isEmpty()).toList()));
        }
        return module;
    }

    private Tensor parameterNamed(String name) {
        Tensor p = root.allParameterNames().get(name);
        if (p == null) {
            throw new NotFoundException("parameter", "no parameter \"" + name + "\" in model " + id + "; parameters: "
                    + String.join(", ", root.allParameterNames().keySet()));
        }
        return p;
    }

    private static Map<Tensor, List<String>> namesByParameter(Module module) {
        Map<Tensor, List<String>> names = new IdentityHashMap<>();
        module.allParameterNames().forEach((name, p) -> names.computeIfAbsent(p, k -> new ArrayList<>()).add(name));
        return names;
    }

    private static Map<Module, List<String>> pathsByModule(Module root) {
        Map<Module, List<String>> paths = new IdentityHashMap<>();
        root.allModulePaths().forEach((path, m) -> paths.computeIfAbsent(m, k -> new ArrayList<>()).add(path));
        return paths;
    }

    private static ParameterInfo describe(String name, Tensor p, List<String> allNames, boolean withData, boolean withGrad) {
        List<String> aliases = new ArrayList<>(allNames);
        aliases.remove(name);
        TensorData data = withData ? TensorData.of(p).copy() : null;
        TensorData grad = withGrad && p.grad() != null ? TensorData.ofFloats(p.grad().clone(), p.shape()) : null;
        return new ParameterInfo(name, p.shape(), p.requiresGrad(), aliases, data, grad);
    }

    private static int flatIndex(int[] shape, int[] index) {
        if (index.length != shape.length) {
            throw new UnprocessableException("index", "too many indices for tensor of dimension " + shape.length
                    + ": got " + index.length + " indices, need exactly " + shape.length);
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new UnprocessableException("index[" + d + "]", "index " + index[d] + " is out of bounds for dimension "
                        + d + " with size " + shape[d]);
            }
            flat = flat * shape[d] + i;
        }
        return flat;
    }

    private static void requireShape(String field, String name, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new UnprocessableException(field, "size mismatch for " + name + ": copying a param with shape "
                    + TensorData.torchSize(actual) + ", the shape in current model is " + TensorData.torchSize(expected) + ".");
        }
    }

    /**
     * A request's values as an input tensor, without a copy: ops never write into their inputs, and
     * an output is a fresh array or (Identity, Flatten) a view of the request's own values, never
     * the model's state, so outputs need no copy either.
     */
    static Tensor asTensor(TensorData data) {
        return Tensor.of(data.isFloat() ? data.floats() : LossFunctions.toFloats(data.longs()), data.shape());
    }

    // ---- locking

    private <T> T read(Supplier<T> action) {
        lock.readLock().lock();
        try {
            return action.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    <T> T write(Supplier<T> action) {
        lock.writeLock().lock();
        try {
            return action.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    Module root() {
        return root;
    }

    Generator generator() {
        return generator;
    }
}
