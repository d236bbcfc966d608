package io.paramlab.model;

import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;

/** Applies a {@link Loss} to an output and the client's target, converting the target's dtype as the loss needs. */
final class LossFunctions {
    private LossFunctions() {
    }

    static Tensor compute(Loss loss, Tensor output, TensorData target) {
        return compute(loss, output, target, LossOptions.DEFAULTS);
    }

    static Tensor compute(Loss loss, Tensor output, TensorData target, LossOptions options) {
        return switch (loss) {
            case SUM -> Losses.sum(output);
            case MEAN -> Losses.mean(output);
            case MSE -> Losses.mse(output, floats(target));
            case L1 -> Losses.l1(output, floats(target));
            case BCE_WITH_LOGITS -> Losses.bceWithLogits(output, floats(target));
            case CROSS_ENTROPY -> Losses.crossEntropy(output, classIndices(target), options.ignoreIndex(), options.labelSmoothing());
        };
    }

    private static Tensor floats(TensorData target) {
        return ModelOperations.asTensor(target);
    }

    /** Class indices: int64, or float32 values that are whole numbers (a bare JSON array defaults to float32). */
    private static Tensor classIndices(TensorData target) {
        if (!target.isFloat()) {
            return Tensor.ofLongs(target.longs().clone(), target.shape());
        }
        long[] classes = new long[target.floats().length];
        for (int i = 0; i < classes.length; i++) {
            float v = target.floats()[i];
            if (v != Math.rint(v) || Float.isInfinite(v)) {
                throw new InvalidInputException("target", "cross_entropy takes class indices (int64), but element " + i + " is " + v);
            }
            classes[i] = (long) v;
        }
        return Tensor.ofLongs(classes, target.shape());
    }

    static float[] toFloats(long[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }
}
