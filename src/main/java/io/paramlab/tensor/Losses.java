package io.paramlab.tensor;

import java.util.Arrays;

/** The losses of a backward pass, reduction 'mean' as PyTorch's defaults; each gives a 0-d tensor. */
public final class Losses {
    private Losses() {
    }

    /** {@code output.sum()} */
    public static Tensor sum(Tensor output) {
        return Reductions.sum(output);
    }

    /** {@code output.mean()} */
    public static Tensor mean(Tensor output) {
        return Reductions.mean(output);
    }

    /** {@code F.mse_loss}: mean of squared differences. */
    public static Tensor mse(Tensor output, Tensor target) {
        requireSameShape(output, target);
        float[] a = output.data();
        float[] t = target.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - t[i];
            s += d * d;
        }
        int n = a.length;
        return Tensor.result(new float[] {(float) (s / n)}, new int[0], g -> {
            float scale = 2f * g[0] / n;
            if (output.requiresGrad()) {
                float[] dx = output.gradBuffer();
                for (int i = 0; i < n; i++) dx[i] += scale * (a[i] - t[i]);
            }
            if (target.requiresGrad()) {
                float[] dt = target.gradBuffer();
                for (int i = 0; i < n; i++) dt[i] -= scale * (a[i] - t[i]);
            }
        }, output, target);
    }

    /** {@code F.l1_loss}: mean of absolute differences; the gradient at a tie is 0. */
    public static Tensor l1(Tensor output, Tensor target) {
        requireSameShape(output, target);
        float[] a = output.data();
        float[] t = target.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - t[i]);
        int n = a.length;
        return Tensor.result(new float[] {(float) (s / n)}, new int[0], g -> {
            float scale = g[0] / n;
            if (output.requiresGrad()) {
                float[] dx = output.gradBuffer();
                for (int i = 0; i < n; i++) dx[i] += scale * Math.signum(a[i] - t[i]);
            }
            if (target.requiresGrad()) {
                float[] dt = target.gradBuffer();
                for (int i = 0; i < n; i++) dt[i] -= scale * Math.signum(a[i] - t[i]);
            }
        }, output, target);
    }

    /** PyTorch's default ignore_index: rows with this target count neither in the loss nor in the mean. */
    public static final long IGNORE_INDEX = -100;

    /**
     * {@code F.cross_entropy} with class indices: log_softmax over classes, then the mean negative
     * log-likelihood over the rows whose target (int64) is not {@link #IGNORE_INDEX} (NaN when none is).
     */
    public static Tensor crossEntropy(Tensor output, Tensor target) {
        int[] s = output.shapeView();
        int batch;
        int classes;
        if (s.length == 1 && target.shapeView().length == 0) {
            batch = 1;
            classes = s[0];
        } else if (s.length == 2) {
            batch = s[0];
            classes = s[1];
            if (target.shapeView().length != 1 || target.shapeView()[0] != batch) {
                int targetBatch = target.shapeView().length == 0 ? 1 : target.shapeView()[0];
                throw new ShapeException("Expected input batch_size (" + batch + ") to match target batch_size (" + targetBatch + ").");
            }
        } else {
            throw new ShapeException("cross_entropy takes an output of shape [N, C] with a target of shape [N], or [C] with a "
                    + "0-d target; got output " + Shapes.torchSize(s) + " and target " + Shapes.torchSize(target.shapeView()));
        }
        if (target.dtype() != Dtype.INT64) {
            throw new ShapeException("expected scalar type Long but found " + target.dtype().scalarType());
        }
        long[] classOf = target.longs();
        int counted = 0;
        for (long c : classOf) {
            if (c != IGNORE_INDEX && (c < 0 || c >= classes)) {
                throw new ShapeException("Target " + c + " is out of bounds.");
            }
            if (c != IGNORE_INDEX) counted++;
        }
        float[] a = output.data();
        float[] probabilities = Allocation.floats(a.length);
        double loss = 0;
        for (int r = 0; r < batch; r++) {
            if (classOf[r] == IGNORE_INDEX) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) max = Math.max(max, a[r * classes + j]);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(a[r * classes + j] - max);
            double logSum = max + Math.log(sum);
            for (int j = 0; j < classes; j++) probabilities[r * classes + j] = (float) Math.exp(a[r * classes + j] - logSum);
            loss += logSum - a[r * classes + (int) classOf[r]];
        }
        int rows = counted;
        return Tensor.result(new float[] {(float) (loss / rows)}, new int[0], g -> {   // 0/0: NaN, as PyTorch
            float[] dx = output.gradBuffer();
            float scale = g[0] / rows;
            for (int r = 0; r < batch; r++) {
                if (classOf[r] == IGNORE_INDEX) continue;
                for (int j = 0; j < classes; j++) {
                    int i = r * classes + j;
                    dx[i] += scale * (probabilities[i] - (j == classOf[r] ? 1f : 0f));
                }
            }
        }, output);
    }

    /** {@code F.binary_cross_entropy_with_logits}: mean of max(x,0) - x t + log(1 + exp(-|x|)). */
    public static Tensor bceWithLogits(Tensor output, Tensor target) {
        if (!Arrays.equals(output.shapeView(), target.shapeView())) {
            throw new ShapeException("Target size (" + Shapes.torchSize(target.shapeView()) + ") must be the same as input size ("
                    + Shapes.torchSize(output.shapeView()) + ")");
        }
        float[] a = output.data();
        float[] t = target.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            s += Math.max(x, 0) - x * t[i] + Math.log1p(Math.exp(-Math.abs(x)));
        }
        int n = a.length;
        return Tensor.result(new float[] {(float) (s / n)}, new int[0], g -> {
            float scale = g[0] / n;
            if (output.requiresGrad()) {
                float[] dx = output.gradBuffer();
                for (int i = 0; i < n; i++) dx[i] += (float) (scale * (1 / (1 + Math.exp(-a[i])) - t[i]));
            }
            if (target.requiresGrad()) {
                float[] dt = target.gradBuffer();
                for (int i = 0; i < n; i++) dt[i] -= scale * a[i];
            }
        }, output, target);
    }

    private static void requireSameShape(Tensor output, Tensor target) {
        if (!Arrays.equals(output.shapeView(), target.shapeView())) {
            throw new ShapeException("Using a target size (" + Shapes.torchSize(target.shapeView()) + ") that is different to the "
                    + "input size (" + Shapes.torchSize(output.shapeView()) + ") is not supported; the target must have the "
                    + "same shape as the output");
        }
    }
}
