package io.paramlab.model;

import io.paramlab.model.ModelOperations.BackwardResult;
import io.paramlab.nn.TensorData;
import io.paramlab.nn.TensorStats;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.optim.ParamGroup;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.UninitializedParameterException;
import org.springframework.stereotype.Service;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's optimizer and what it does, each over {@link LiveModel#read} or {@link LiveModel#change}
 * with the optimizer's state in the footprint: set, describe, delete, {@code step()},
 * {@code scheduler.step()}, the train step, and the optimizer's state dict.
 */
@Service
public class TrainingOperations {
    private final ModelRegistry registry;
    private final long maxActivationElements;

    public TrainingOperations(ModelRegistry registry, ParamlabLimits limits) {
        this.registry = registry;
        this.maxActivationElements = limits.maxActivationElements();
    }

    public record StepResult(long stepCount, List<Number> lr) {
    }

    public record SchedulerStepResult(long lastEpoch, List<Number> lr) {
    }

    public record TrainStepResult(float loss, long stepCount) {
    }

    /** Builds the optimizer from its spec and replaces any earlier one with its state; answers its description. */
    public Map<String, Object> setOptimizer(String id, Map<String, ?> spec) {
        LiveModel model = registry.forChange(id);
        return model.change("optimizer.set", Footprint.OPTIMIZER, () -> {
            // PyTorch builds an optimizer over an UninitializedParameter, then fails at the first step; refused here, up front
            model.root().namedParameters().forEach((name, p) -> {
                if (!p.isInitialized()) {
                    throw new UnprocessableException("", name + ": "
                            + new UninitializedParameterException("an optimizer").getMessage());
                }
            });
            OptimizerSetup setup = OptimizerSetup.fromSpec(spec, model.root());
            model.setOptimizer(setup);
            return setup.describe();
        });
    }

    public Map<String, Object> describe(String id) {
        LiveModel model = registry.get(id);
        return model.read(() -> existing(model).describe());
    }

    public void deleteOptimizer(String id) {
        LiveModel model = registry.forChange(id);
        model.change("optimizer.delete", Footprint.OPTIMIZER, () -> {
            existing(model);
            model.setOptimizer(null);
            return null;
        });
    }

    /** {@code optimizer.step()}, recording each stepped parameter's update ratio. */
    public StepResult step(String id) {
        LiveModel model = registry.forChange(id);
        return model.change("optimizer.step", Footprint.STEP, () -> {
            OptimizerSetup setup = required(model);
            stepRecordingRatios(model, setup);
            return new StepResult(setup.optimizer().stepCount(), setup.lrs());
        });
    }

    public SchedulerStepResult schedulerStep(String id) {
        LiveModel model = registry.forChange(id);
        return model.change("scheduler.step", Footprint.OPTIMIZER, () -> {
            OptimizerSetup setup = required(model);
            if (!setup.hasScheduler()) {
                throw new ConflictException("no-scheduler", "model " + id + " has an optimizer without a scheduler; "
                        + "PUT /models/" + id + "/optimizer with a \"scheduler\" to set one");
            }
            setup.scheduler().step();
            return new SchedulerStepResult(setup.scheduler().lastEpoch(), setup.lrs());
        });
    }

    /** {@code opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step()}, all or nothing. */
    public TrainStepResult trainStep(String id, TensorData input, TensorData target, Loss loss) {
        return trainStep(id, ForwardCall.of(input), target, loss, LossOptions.DEFAULTS);
    }

    /** The train step of a forward with several inputs and a loss with options. */
    public TrainStepResult trainStep(String id, ForwardCall call, TensorData target, Loss loss, LossOptions options) {
        LiveModel model = registry.forChange(id);
        return model.change("train_step", Footprint.TRAIN_STEP, () -> {
            OptimizerSetup setup = required(model);
            setup.optimizer().zeroGrad();
            BackwardResult result = ModelOperations.lossBackward(model, call, target, loss, options, maxActivationElements);
            stepRecordingRatios(model, setup);
            return new TrainStepResult(result.loss(), setup.optimizer().stepCount());
        });
    }

    /** {@code optimizer.state_dict()}: plain values, tensors as copies. */
    public Map<String, Object> optimizerStateDict(String id) {
        LiveModel model = registry.get(id);
        return model.read(() -> existing(model).optimizer().stateDict());
    }

    /** {@code optimizer.load_state_dict(sd)}; a refused dict changes nothing. Answers the optimizer's description. */
    public Map<String, Object> loadOptimizerStateDict(String id, Map<String, ?> stateDict) {
        LiveModel model = registry.forChange(id);
        return model.change("optimizer.load", Footprint.OPTIMIZER, () -> {
            OptimizerSetup setup = required(model);
            setup.optimizer().loadStateDict(stateDict);
            return setup.describe();
        });
    }

    /**
     * The step, with each stepped parameter's values before it for ‖Δw‖₂ / ‖w‖₂: those the change's
     * transaction saved (a step's footprint saves every value), else a copy, charged to the budget in flight.
     */
    static void stepRecordingRatios(LiveModel model, OptimizerSetup setup) {
        Map<Tensor, float[]> before = new IdentityHashMap<>();
        long copies = 0;
        for (ParamGroup group : setup.optimizer().paramGroups()) {
            for (Tensor p : group.params()) {
                float[] saved = model.valuesBefore(p);
                if (p.grad() != null && (saved == null || saved.length != p.numel())) {
                    copies += p.numel();
                }
            }
        }
        try (io.paramlab.tensor.Allocation.Scope held = io.paramlab.tensor.Allocation.hold(copies)) {
            stepFrom(model, setup, before);
        }
    }

    private static void stepFrom(LiveModel model, OptimizerSetup setup, Map<Tensor, float[]> before) {
        for (ParamGroup group : setup.optimizer().paramGroups()) {
            for (Tensor p : group.params()) {
                if (p.grad() != null) {
                    float[] saved = model.valuesBefore(p);
                    before.putIfAbsent(p, saved != null && saved.length == p.numel() ? saved : p.data().clone());
                }
            }
        }
        setup.optimizer().step();
        Map<Tensor, Double> ratios = new IdentityHashMap<>();
        before.forEach((p, w) -> ratios.put(p, TensorStats.updateRatio(w, p.data())));
        model.recordUpdateRatios(ratios);
    }

    /** The optimizer for GET and DELETE: 404 without one. */
    private static OptimizerSetup existing(LiveModel model) {
        if (model.optimizer() == null) {
            throw new NotFoundException("optimizer", "model " + model.id() + " has no optimizer; PUT /models/"
                    + model.id() + "/optimizer sets one");
        }
        return model.optimizer();
    }

    /** The optimizer for a step or a load: 409 without one (the model exists, its state does not allow it). */
    static OptimizerSetup required(LiveModel model) {
        if (model.optimizer() == null) {
            throw new ConflictException("no-optimizer", "model " + model.id() + " has no optimizer; PUT /models/"
                    + model.id() + "/optimizer sets one");
        }
        return model.optimizer();
    }
}
