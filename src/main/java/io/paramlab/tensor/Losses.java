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

    /** {@code F.cross_entropy(output, target)} with PyTorch's defaults: ignore_index=-100, no label smoothing. */
    public static Tensor crossEntropy(Tensor output, Tensor target) {
        return crossEntropy(output, target, IGNORE_INDEX, 0);
    }

    /**
     * {@code F.cross_entropy} with class indices in its K-dimensional form: output {@code (N, C, d1, ...)}
     * (or {@code (C)} with a 0-d target), target {@code (N, d1, ...)}; log_softmax over dim 1, then the
     * mean over the positions whose target is not {@code ignoreIndex} (NaN when none is) of
     * {@code (1 - s) * nll + s * mean over classes of -log p}, as PyTorch mixes label smoothing s in.
     */
    public static Tensor crossEntropy(Tensor output, Tensor target, long ignoreIndex, double labelSmoothing) {
        int[] s = output.shapeView();
        int[] ts = target.shapeView();
        int batch;
        int classes;
        int inner;
        if (s.length == 1 && ts.length == 0) {
            batch = 1;
            classes = s[0];
            inner = 1;
        } else if (s.length >= 2) {
            batch = s[0];
            classes = s[1];
            inner = Shapes.product(s, 2, s.length);
            if (ts.length == 0 || ts[0] != batch) {
                throw new ShapeException("Expected input batch_size (" + batch + ") to match target batch_size ("
                        + (ts.length == 0 ? 1 : ts[0]) + ").");
            }
            int[] expected = new int[s.length - 1];
            expected[0] = batch;
            System.arraycopy(s, 2, expected, 1, s.length - 2);
            if (!java.util.Arrays.equals(expected, ts)) {
                throw new ShapeException(s.length == 2
                        ? "1D target tensor expected, multi-target not supported"
                        : "Expected target size " + java.util.Arrays.toString(expected) + ", got " + java.util.Arrays.toString(ts));
            }
        } else {
            throw new ShapeException("cross_entropy takes an output of shape (N, C, d1, ...) with a target of shape (N, d1, ...), "
                    + "or (C) with a 0-d target; got output " + Shapes.torchSize(s) + " and target " + Shapes.torchSize(ts));
        }
        if (target.dtype() != Dtype.INT64) {
            throw new ShapeException("expected scalar type Long but found " + target.dtype().scalarType());
        }
        long[] classOf = target.longs();
        int counted = 0;
        for (long c : classOf) {
            if (c != ignoreIndex && (c < 0 || c >= classes)) {
                throw new ShapeException("Target " + c + " is out of bounds.");
            }
            if (c != ignoreIndex) counted++;
        }
        float[] a = output.data();
        float[] probabilities = Allocation.floats(a.length);
        double smoothing = labelSmoothing;
        double nll = 0;
        double smooth = 0;
        // a sample's positions side by side (contiguous in memory, up to 256 at a time and 32 K doubles of scratch), so
        // the loops run along them; each position's arithmetic is the row-by-row one: max, exp(x - max) summed in class
        // order, log, exp(x - logSum)
        int width = Math.max(1, Math.min(inner, Math.min(256, 32768 / Math.max(classes, 1))));
        double[] e = new double[classes * width];
        double[] max = new double[width];
        double[] logSum = new double[width];
        double[] sumLogP = new double[width];
        for (int n = 0; n < batch; n++) {
            for (int p0 = 0; p0 < inner; p0 += width) {
                int w = Math.min(width, inner - p0);
                int base = n * classes * inner + p0;
                Arrays.fill(max, Double.NEGATIVE_INFINITY);
                for (int j = 0; j < classes; j++) {
                    for (int q = 0; q < w; q++) max[q] = Math.max(max[q], a[base + j * inner + q]);
                }
                for (int j = 0; j < classes; j++) {
                    for (int q = 0; q < w; q++) e[j * w + q] = a[base + j * inner + q] - max[q];
                }
                Functional.expNonPositive(e, classes * w);
                Arrays.fill(logSum, 0);
                for (int j = 0; j < classes; j++) {
                    for (int q = 0; q < w; q++) logSum[q] += e[j * w + q];   // the sum of exps, in class order
                }
                for (int q = 0; q < w; q++) logSum[q] = max[q] + Math.log(logSum[q]);
                Arrays.fill(sumLogP, 0);
                for (int j = 0; j < classes; j++) {
                    for (int q = 0; q < w; q++) {
                        double logP = a[base + j * inner + q] - logSum[q];   // at most 0 (logSum is at least max), or NaN
                        sumLogP[q] += logP;
                        e[j * w + q] = logP;
                    }
                }
                Functional.expNonPositive(e, classes * w);
                for (int q = 0; q < w; q++) {
                    long y = classOf[n * inner + p0 + q];
                    if (y == ignoreIndex) continue;
                    for (int j = 0; j < classes; j++) probabilities[base + j * inner + q] = (float) e[j * w + q];
                    nll += logSum[q] - a[base + (int) y * inner + q];
                    smooth -= sumLogP[q];
                }
            }
        }
        int rows = counted;
        double loss = smoothing == 0 ? nll / rows : (1 - smoothing) * (nll / rows) + smoothing * (smooth / rows / classes);
        return Tensor.result(new float[] {(float) loss}, new int[0], g -> {   // 0/0: NaN, as PyTorch
            float[] dx = output.gradBuffer();
            float scale = g[0] / rows;
            float hit = (float) (1 - smoothing);
            float spread = (float) (smoothing / classes);
            for (int n = 0; n < batch; n++) {
                for (int p = 0; p < inner; p++) {
                    long y = classOf[n * inner + p];
                    if (y == ignoreIndex) continue;
                    int base = n * classes * inner + p;
                    for (int j = 0; j < classes; j++) {
                        int i = base + j * inner;
                        dx[i] += scale * (probabilities[i] - (j == y ? hit : 0f) - spread);
                    }
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
