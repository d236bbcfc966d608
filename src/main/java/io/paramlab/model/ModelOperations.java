package io.paramlab.model;

import io.paramlab.nn.Initialization;
import io.paramlab.nn.InitRule;
import io.paramlab.nn.Module;
import io.paramlab.nn.StateDictLoader;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InitSpec;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Shapes;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.UninitializedParameterException;
import org.springframework.stereotype.Service;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the API can do to a model, each a few lines over {@link LiveModel#read} and
 * {@link LiveModel#change} with the PyTorch-level work in {@code nn}: forward, backward, zero_grad,
 * init, load_state_dict, rename and train/eval, and writes of one parameter.
 */
@Service
public class ModelOperations {
    private final ModelRegistry registry;
    private final long maxActivationElements;
    private final int maxInitRules;
    private final long maxInitWork;

    public ModelOperations(ModelRegistry registry, ParamlabLimits limits) {
        this.registry = registry;
        this.maxActivationElements = limits.maxActivationElements();
        Allocation.limitInFlight(limits.maxInflightActivationElements());
        this.maxInitRules = limits.maxInitRules();
        this.maxInitWork = limits.maxInitWork();
    }

    /** {@code model.train(training)} and/or a new name. */
    public LiveModel patch(String id, Boolean training, String newName) {
        LiveModel model = registry.forChange(id);
        model.change("patch", Footprint.METADATA, () -> {
            if (training != null) {
                model.root().train(training);
            }
            if (newName != null) {
                model.rename(newName);
            }
            return null;
        });
        return model;
    }

    /**
     * {@code with torch.no_grad(): module(P)(*inputs, **kwargs)}: a tensor's values, a list for a tuple,
     * or null. A forward that changes nothing (eval mode, or no Dropout or BatchNorm, and no lazy
     * layer left) shares the read lock with other forwards.
     */
    public Object forward(String id, String modulePath, ForwardCall call) {
        LiveModel model = registry.get(id);
        Object[] readOnly = model.read(() -> model.forwardWrites() ? null : new Object[] {runForward(model, modulePath, call)});
        if (readOnly != null) {
            return readOnly[0];
        }
        if (!RequestContext.current().access().atLeast(Access.WRITE)) {   // say why this forward is a change
            throw new ForbiddenException("this forward would change model " + id + " (Dropout or BatchNorm1d in training mode,"
                    + " or a lazy layer to materialize), and the role read runs only forwards that change nothing;"
                    + " put the model in eval mode ({\"training\": false}) or use a write token");
        }
        return model.change("forward", Footprint.FORWARD, () -> runForward(model, modulePath, call));
    }

    /** The one-tensor forward of {@code net[module](input)}. */
    public TensorData forward(String id, String modulePath, TensorData input) {
        return (TensorData) forward(id, modulePath, ForwardCall.of(input));
    }

    private Object runForward(LiveModel model, String modulePath, ForwardCall call) {
        Module module = module(model, modulePath);
        try (GradMode.Scope noGrad = GradMode.noGrad(); Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
            return ForwardCall.answer(call.run(module));
        }
    }

    /** {@code output} is a tensor's values, a list for a tuple, or null. */
    public record BackwardResult(float loss, Object output) {
    }

    /** {@code loss_fn(model(input), target).backward()}: gradients accumulate into every parameter's grad. */
    public BackwardResult backward(String id, TensorData input, TensorData target, Loss loss) {
        return backward(id, ForwardCall.of(input), target, loss, LossOptions.DEFAULTS);
    }

    /** {@code loss_fn(model(*inputs, **kwargs), target, **options).backward()}; a tuple's loss is its first tensor's. */
    public BackwardResult backward(String id, ForwardCall call, TensorData target, Loss loss, LossOptions options) {
        LiveModel model = registry.forChange(id);
        return model.change("forward", Footprint.BACKWARD, () -> lossBackward(model, call, target, loss, options, maxActivationElements));
    }

    /** The body of a backward, for a change that already holds the lock (a backward, a train step). */
    static BackwardResult lossBackward(LiveModel model, TensorData input, TensorData target, Loss loss, long maxActivationElements) {
        return lossBackward(model, ForwardCall.of(input), target, loss, LossOptions.DEFAULTS, maxActivationElements);
    }

    static BackwardResult lossBackward(LiveModel model, ForwardCall call, TensorData target, Loss loss, LossOptions options,
                                       long maxActivationElements) {
        try (Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
            Object output = call.run(model.root());
            Tensor value = LossFunctions.compute(loss, ForwardCall.lossInput(output), target, options);
            value.backward();
            return new BackwardResult(value.item(), ForwardCall.answer(output));
        }
    }

    /** {@code zero_grad(set_to_none=False)}. */
    public void zeroGrad(String id) {
        LiveModel model = registry.forChange(id);
        model.change("zero_grad", Footprint.GRADS, () -> {
            model.root().namedParameters().values().forEach(Tensor::zeroGrad);
            return null;
        });
    }

    /** Init rules in order, each {@code net[module].apply(fn)}; a failure anywhere changes nothing. */
    public List<Initialization.Applied> init(String id, InitSpec request) {
        LiveModel model = registry.forChange(id);
        if (request.rules().size() > maxInitRules) {
            throw new LimitExceededException("rules", "max-init-rules", request.rules().size(), maxInitRules, "the request has "
                    + request.rules().size() + " init rules, over the limit of " + maxInitRules + " (paramlab.limits.max-init-rules)");
        }
        return model.change("init", Footprint.INIT, () -> {
            request.rules().forEach(rule -> module(model, rule.module()));   // every path is checked before anything is drawn
            long work = Initialization.plannedWork(model.root(), request.rules());   // and the work is weighed
            if (work > maxInitWork) {
                throw new LimitExceededException("rules", "max-init-work", work, maxInitWork, "the rules would do " + work
                        + " element operations (elements times each policy's cost: 1, an expression's size, orthogonal's smaller side), "
                        + "over the limit of " + maxInitWork + " (paramlab.limits.max-init-work)");
            }
            if (request.seed() != null) {
                model.generator().manualSeed(request.seed());
            }
            try {
                return Initialization.apply(model.root(), request.rules(), model.generator());
            } catch (Initialization.Failure e) {
                throw new UnprocessableException(e.field(), e.getMessage());
            }
        });
    }

    /** {@code module(P).load_state_dict(state, strict)}; {@code versions} is the dict's {@code _metadata}, null without. */
    public StateDictLoader.Result loadStateDict(String id, String modulePath, Map<String, TensorData> state, boolean strict,
                                                Map<String, Integer> versions) {
        LiveModel model = registry.forChange(id);
        // keys and shapes are refused before the change saves every value for a rollback; a refusal is a 422
        // with the keys and mismatches as data (LoadStateDictException)
        return model.change("state_dict.load", Footprint.LOAD,
                () -> StateDictLoader.check(module(model, modulePath), state, strict, versions),
                () -> StateDictLoader.load(module(model, modulePath), state, strict, versions));
    }

    /** A parameter write: {@code index} with {@code value}, or {@code data}, and/or {@code requiresGrad}. */
    public record ParameterPatch(int[] index, Float value, TensorData data, Boolean requiresGrad) {
    }

    public LiveModel patchParameter(String id, String name, ParameterPatch patch) {
        LiveModel model = registry.forChange(id);
        // the parameter is looked up under the change's lock, after any reload: a tensor found under an earlier lock
        // may belong to contents evicted since, and a write into it would be lost
        model.change("parameter.patch", () -> footprint(parameter(model, name), patch), () -> {
            Tensor p = parameter(model, name);
            if ((patch.index() != null || patch.data() != null) && !p.isInitialized()) {
                throw new UnprocessableException("", name + ": " + new UninitializedParameterException("a write").getMessage());
            }
            if (patch.index() != null) {
                int flat;
                try {
                    flat = Shapes.flatIndex(p.shape(), patch.index());
                } catch (ShapeException e) {
                    throw new UnprocessableException("index", e.getMessage());
                }
                p.data()[flat] = patch.value();
            }
            if (patch.data() != null) {
                if (!Arrays.equals(p.shape(), patch.data().shape())) {
                    throw new UnprocessableException("data", "size mismatch for " + name + ": copying a param with shape "
                            + TensorData.torchSize(patch.data().shape()) + ", the shape in current model is "
                            + TensorData.torchSize(p.shape()) + ".");
                }
                TensorData.of(p).copyFrom(patch.data());
            }
            if (patch.requiresGrad() != null) {
                p.setRequiresGrad(patch.requiresGrad());
            }
            return null;
        });
        return model;
    }

    /**
     * What a parameter write touches: one element for an {@code index} write, none for a flag alone (nothing else
     * is copied for a rollback or written by the commit), else the whole parameter (also when the write will be refused).
     */
    private static Footprint footprint(Tensor p, ParameterPatch patch) {
        if (patch.data() == null && patch.index() == null) {
            return Footprint.elements(p);
        }
        if (patch.data() == null && p.isInitialized()) {
            try {
                return Footprint.elements(p, Shapes.flatIndex(p.shape(), patch.index()));
            } catch (ShapeException e) {
                // refused inside the change, with the parameter's name
            }
        }
        return Footprint.parameter(p);
    }

    // ---- lookups (callers hold the lock)

    public static Module module(LiveModel model, String path) {
        Module module = model.root().submodule(path == null ? "" : path);
        if (module == null) {
            throw new NotFoundException("module", "no module \"" + path + "\" in model " + model.id() + "; modules: "
                    + String.join(", ", model.root().namedModules().keySet().stream().filter(p -> !p.isEmpty()).toList()));
        }
        return module;
    }

    public static Tensor parameter(LiveModel model, String name) {
        Tensor p = model.root().allParameterNames().get(name);
        if (p == null) {
            throw new NotFoundException("parameter", "no parameter \"" + name + "\" in model " + model.id() + "; parameters: "
                    + String.join(", ", model.root().allParameterNames().keySet()));
        }
        return p;
    }

    /**
     * A request's values as an input tensor, without a copy: ops never write into their inputs, and
     * an output is a fresh array or (Identity, Flatten) a view of the request's own values, never
     * the model's state, so outputs need no copy either.
     */
    static Tensor asTensor(TensorData data) {
        return data.toTensor();   // int64 token ids and bool masks keep their dtype, as PyTorch's do
    }
}
