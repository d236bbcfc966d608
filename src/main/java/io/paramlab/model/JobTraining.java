package io.paramlab.model;

import io.paramlab.model.ModelOperations.BackwardResult;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;
import org.springframework.stereotype.Service;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a training job does to its model, each over {@link LiveModel#change} from the job's own
 * thread (which holds the model): a step is an in-memory transaction (nothing is written to the
 * store), and the job commits at each epoch's end, when cancelled and when it fails, with its own
 * progress written in the same database transaction.
 */
@Service
public class JobTraining {
    private final long maxActivationElements;

    public JobTraining(ParamlabLimits limits) {
        this.maxActivationElements = limits.maxActivationElements();
    }

    /** A step's loss and the groups' lrs it used (before a per-step scheduler moved them). */
    public record StepResult(float loss, List<Number> lr) {
    }

    /** A validation pass: the mean loss, and for cross_entropy the accuracy (null otherwise). */
    public record Evaluation(double loss, Double accuracy) {
    }

    /** {@code opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()}, then {@code sched.step()} when per step. */
    public StepResult step(LiveModel model, TensorData input, TensorData target, Loss loss, boolean schedulerPerStep) {
        return model.change("job.step", Footprint.JOB_STEP, () -> {
            OptimizerSetup setup = TrainingOperations.required(model);
            setup.optimizer().zeroGrad();
            BackwardResult result = ModelOperations.lossBackward(model, input, target, loss, maxActivationElements);
            TrainingOperations.stepRecordingRatios(model, setup);
            List<Number> lr = setup.lrs();
            if (schedulerPerStep && setup.hasScheduler()) {
                setup.scheduler().step();
            }
            return new StepResult(result.loss(), lr);
        });
    }

    /**
     * An epoch's end, committed: {@code sched.step()} when per epoch, then the validation set (when
     * not null) in eval mode under no_grad, the model's mode put back; {@code alongside} gets the
     * evaluation (or null) inside the commit's database transaction.
     */
    public Evaluation endEpoch(LiveModel model, boolean schedulerPerEpoch, TensorData valInput, TensorData valTarget, Loss loss,
                               String summary, Consumer<Evaluation> alongside) {
        Evaluation[] evaluation = new Evaluation[1];
        return model.change("job.epoch", Footprint.JOB_COMMIT, () -> {
            OptimizerSetup setup = TrainingOperations.required(model);
            if (schedulerPerEpoch && setup.hasScheduler()) {
                setup.scheduler().step();
            }
            evaluation[0] = valInput == null ? null : evaluate(model, valInput, valTarget, loss);
            return evaluation[0];
        }, result -> summary, () -> alongside.accept(evaluation[0]));
    }

    /**
     * A job's shapes checked before it is queued: {@code with torch.no_grad(): loss_fn(model(x), y)} on one
     * sample, eval-like ({@link Module#evalLike}: no Dropout draw, no BatchNorm update) under the read lock,
     * so nothing changes. A model with uninitialized lazy layers is not checked (that forward would
     * materialize them); its first step checks instead. A failure is a 422 naming {@code field}.
     */
    public void dryRun(LiveModel model, String field, TensorData input, TensorData target, Loss loss) {
        model.read(() -> {
            try (Module.EvalScope eval = Module.evalLike(); GradMode.Scope noGrad = GradMode.noGrad();
                 Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
                if (model.forwardWrites()) {
                    return null;
                }
                Tensor output = model.root().forward(ModelOperations.asTensor(input));
                LossFunctions.compute(loss, output, target);
                return null;
            } catch (ShapeException | UnprocessableException | InvalidInputException e) {
                throw new UnprocessableException(field, "one sample of " + field + " does not fit the model: " + e.getMessage()
                        + " (input " + java.util.Arrays.toString(input.shape()) + ", target " + java.util.Arrays.toString(target.shape())
                        + ", loss " + loss.name().toLowerCase(java.util.Locale.ROOT) + ")");
            }
        });
    }

    /** Commits the model as the job leaves it (cancelled or failed after its last completed step). */
    public void commit(LiveModel model, String operation, String summary, Runnable alongside) {
        model.change(operation, Footprint.JOB_COMMIT, () -> null, result -> summary, alongside);
    }

    private Evaluation evaluate(LiveModel model, TensorData input, TensorData target, Loss loss) {
        boolean training = model.root().isTraining();
        model.root().train(false);
        try (GradMode.Scope noGrad = GradMode.noGrad(); Allocation.Scope budget = Allocation.limit(maxActivationElements)) {
            Tensor output = model.root().forward(ModelOperations.asTensor(input));
            double value = LossFunctions.compute(loss, output, target).item();
            return new Evaluation(value, loss == Loss.CROSS_ENTROPY ? accuracy(output, target) : null);
        } finally {
            model.root().train(training);
        }
    }

    /** The fraction of rows whose first largest logit ({@code argmax}) is the target class. */
    private static double accuracy(Tensor output, TensorData target) {
        int rows = output.shape()[0];
        int classes = output.numel() / Math.max(rows, 1);
        float[] logits = output.data();
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[r * classes + c] > logits[r * classes + best]) {
                    best = c;
                }
            }
            long expected = target.isFloat() ? (long) target.floats()[r] : target.longs()[r];
            if (best == expected) {
                correct++;
            }
        }
        return rows == 0 ? Double.NaN : (double) correct / rows;
    }
}
