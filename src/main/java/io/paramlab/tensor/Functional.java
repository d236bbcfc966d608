package io.paramlab.tensor;

/**
 * The ops of torch.nn.functional that the layers need, each with its gradient written beside it.
 * Outputs record the graph only under grad mode when an input requires a gradient.
 */
public final class Functional {
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);

    private Functional() {
    }

    /** {@code y = x W^T + b} for x of shape [*, in]. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        int[] xs = input.shapeView();
        int out = weight.shapeView()[0];
        int in = weight.shapeView()[1];
        if (xs.length == 0) {
            throw new ShapeException("both arguments to linear need to be at least 1D, but they are 0D and 2D");
        }
        int k = xs[xs.length - 1];
        int rows = k == 0 ? Shapes.product(xs, 0, xs.length - 1) : input.numel() / k;
        if (k != in) {
            throw new ShapeException("mat1 and mat2 shapes cannot be multiplied (" + rows + "x" + k + " and " + in + "x" + out + ")");
        }
        int[] shape = xs.clone();
        shape[shape.length - 1] = out;
        float[] x = input.data();
        float[] w = weight.data();
        float[] y = Allocation.floats((long) rows * out);
        if (bias != null) {
            float[] b = bias.data();
            for (int r = 0; r < rows; r++) System.arraycopy(b, 0, y, r * out, out);
        }
        Blas.sgemm(false, true, rows, out, in, x, w, y, bias == null ? 0f : 1f);
        return Tensor.result(y, shape, g -> {
            if (input.requiresGrad()) {
                Blas.sgemm(false, false, rows, in, out, g, w, input.gradBuffer(), 1f);        // dX += dY W
            }
            if (weight.requiresGrad()) {
                Blas.sgemm(true, false, out, in, rows, g, x, weight.gradBuffer(), 1f);        // dW += dY^T X
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.gradBuffer();
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < out; j++) db[j] += g[r * out + j];
                }
            }
        }, input, weight, bias);
    }

    /**
     * PyTorch's {@code x < 0 ? 0 : x} (so -0 and NaN pass through), and a gradient that passes
     * wherever the output is not zero (NaN included). Both loops are branch-free: on activations
     * of random sign a branch mispredicts half the time, which cost 40 times the arithmetic.
     */
    public static Tensor relu(Tensor x) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = Math.max(a[i], 0f);  // vectorised; gives +0 for -0
        for (int i = 0; i < a.length; i++) if (a[i] == 0f) y[i] = a[i];  // rare: put -0 back
        return Tensor.result(y, x.shapeView(), g -> {
            if (x.adoptGrad(g)) {   // the first gradient of an intermediate: in place, no zeroed buffer
                for (int i = 0; i < a.length; i++) {
                    int magnitude = Float.floatToRawIntBits(y[i]) & 0x7fffffff;
                    int pass = (magnitude + 0x7fffffff) >> 31;
                    g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & pass);
                }
                return;
            }
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) {
                int magnitude = Float.floatToRawIntBits(y[i]) & 0x7fffffff;
                int pass = (magnitude + 0x7fffffff) >> 31;                  // all ones unless y is +-0
                dx[i] += Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & pass);
            }
        }, x);
    }

    /** PyTorch's {@code x > 0 ? x : x * slope}, value and gradient, without branches (see relu). */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        float slope = (float) negativeSlope;
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = a[i] * slopeUnlessPositive(a[i], slope);
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * slopeUnlessPositive(a[i], slope);
        }, x);
    }

    /** 1 where {@code v > 0}, else slope (NaN and both zeros included), from v's bits. */
    private static float slopeUnlessPositive(float v, float slope) {
        int bits = Float.floatToRawIntBits(v);
        int positive = ~(((bits - 1) | (0x7f800000 - bits)) >> 31);   // all ones iff 0 < bits <= +inf
        return Float.intBitsToFloat((ONE_BITS & positive) | (Float.floatToRawIntBits(slope) & ~positive));
    }

    public static Tensor sigmoid(Tensor x) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        Gates.sigmoid(a, 0, y, 0, a.length, Gates.scratch());
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * y[i] * (1 - y[i]);
        }, x);
    }

    public static Tensor tanh(Tensor x) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        Gates.tanh(a, 0, y, 0, a.length, Gates.scratch());
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * (1 - y[i] * y[i]);
        }, x);
    }

    /**
     * tanh of one double through the JIT's exp intrinsic, for GELU's approximation, whose argument
     * is a double (runs of floats go through {@link Gates}): Java 17's Math.tanh is fdlibm in
     * software. Rounded to float it gives (float) StrictMath.tanh on every one
     * of 20 million inputs tried (normal at scales 0.01, 1, 5 and random bit patterns); below 1e-3,
     * where exp(2x) - 1 cancels, the series to x^5 is exact to double precision.
     */
    static double tanh(double x) {
        double ax = Math.abs(x);
        if (ax < 1e-3) {
            double x2 = x * x;
            return x * (1 - x2 * (1.0 / 3 - x2 * (2.0 / 15)));
        }
        if (!(ax <= 20)) {
            return Double.isNaN(x) ? x : Math.copySign(1.0, x);   // tanh(20) is 1 - 8e-18: 1 in float and double
        }
        double e = Math.exp(2 * ax);
        return Math.copySign((e - 1) / (e + 1), x);
    }

    /** GELU: x Φ(x) with the exact erf, or PyTorch's tanh approximation. */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) {
            double v = a[i];
            y[i] = (float) (tanhApproximation
                    ? 0.5 * v * (1 + tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)))
                    : 0.5 * v * Erf.erfc(-v / SQRT_2));
        }
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) {
                double v = a[i];
                double d;
                if (tanhApproximation) {
                    double inner = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
                    double t = tanh(inner);
                    d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
                } else {
                    d = 0.5 * Erf.erfc(-v / SQRT_2) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
                }
                dx[i] += (float) (g[i] * d);
            }
        }, x);
    }

    /** Softmax along {@code dim}: exp(x - max) / sum. */
    public static Tensor softmax(Tensor x, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        int size = s.length == 0 ? 1 : s[d];
        int inner = s.length == 0 ? 1 : Shapes.product(s, d + 1, s.length);
        int outer = s.length == 0 ? 1 : Shapes.product(s, 0, d);
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        double[] e = new double[size];                  // each exp computed once
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * size * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < size; j++) max = Math.max(max, a[base + j * inner]);
                for (int j = 0; j < size; j++) e[j] = a[base + j * inner] - max;
                expNonPositive(e, size);
                double sum = 0;
                for (int j = 0; j < size; j++) sum += e[j];
                for (int j = 0; j < size; j++) y[base + j * inner] = (float) (e[j] / sum);
            }
        }
        return Tensor.result(y, s, g -> {
            float[] dx = x.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int in = 0; in < inner; in++) {
                    int base = o * size * inner + in;
                    double dot = 0;
                    for (int j = 0; j < size; j++) dot += (double) g[base + j * inner] * y[base + j * inner];
                    for (int j = 0; j < size; j++) {
                        int idx = base + j * inner;
                        dx[idx] += (float) (y[idx] * (g[idx] - dot));
                    }
                }
            }
        }, x);
    }

    private static final double[] EXP_SERIES = {
        1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800};

    /**
     * {@code e[j] = exp(e[j])} for the first n values, each at most 0 or NaN (softmax's {@code x - max}),
     * in a loop of doubles alone that the JIT vectorizes (Math.exp is a scalar call, and softmax spent
     * most of its time in it). z is clamped at -110 (e^-110 is below anything a float keeps beside the
     * row's maximum, whose exp is 1); the series of e^r to r^10 at r = z / 1024 (truncation under 1e-18),
     * then ten squarings: a relative error near 1e-13 over the whole range, far below float's 6e-8, so the
     * rounded softmax is Math.exp's but for a rounding tie now and then (one float ulp; FunctionalExpTest).
     * NaN stays NaN (Math.max keeps it).
     */
    static void expNonPositive(double[] e, int n) {
        double c2 = EXP_SERIES[0];
        double c3 = EXP_SERIES[1];
        double c4 = EXP_SERIES[2];
        double c5 = EXP_SERIES[3];
        double c6 = EXP_SERIES[4];
        double c7 = EXP_SERIES[5];
        double c8 = EXP_SERIES[6];
        double c9 = EXP_SERIES[7];
        double c10 = EXP_SERIES[8];
        for (int j = 0; j < n; j++) {
            double r = Math.max(-110.0, e[j]) * (1.0 / 1024);
            double p = 1 + r * (1 + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * (c6 + r * (c7 + r * (c8 + r * (c9 + r * c10)))))))));
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            p = p * p;
            e[j] = p;
        }
    }

    /** {@code F.log_softmax} along {@code dim}: x - max - log(sum(exp(x - max))). */
    public static Tensor logSoftmax(Tensor x, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        int size = s.length == 0 ? 1 : s[d];
        int inner = s.length == 0 ? 1 : Shapes.product(s, d + 1, s.length);
        int outer = s.length == 0 ? 1 : Shapes.product(s, 0, d);
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * size * inner + in;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < size; j++) max = Math.max(max, a[base + j * inner]);
                double sum = 0;
                for (int j = 0; j < size; j++) sum += Math.exp(a[base + j * inner] - max);
                double logSum = max + Math.log(sum);
                for (int j = 0; j < size; j++) y[base + j * inner] = (float) (a[base + j * inner] - logSum);
            }
        }
        return Tensor.result(y, s, g -> {            // dx = g - softmax * sum(g)
            float[] dx = x.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int in = 0; in < inner; in++) {
                    int base = o * size * inner + in;
                    double sumG = 0;
                    for (int j = 0; j < size; j++) sumG += g[base + j * inner];
                    for (int j = 0; j < size; j++) {
                        int idx = base + j * inner;
                        dx[idx] += (float) (g[idx] - Math.exp(y[idx]) * sumG);
                    }
                }
            }
        }, x);
    }

    /**
     * Inverted dropout as PyTorch 1.13's CPU {@code _dropout_impl}: {@code noise.bernoulli_(1 - p)}
     * keeps an element where its double uniform (53 bits of one 64-bit draw) is below {@code 1 - p},
     * {@code noise.div_(1 - p)} scales in float32 ({@code 1f / (float) (1 - p)}), and the output is
     * {@code input * noise}, so a dropped NaN or infinity stays NaN and a dropped negative is -0.
     * {@code p = 0} (or no elements) returns the input and {@code p = 1} multiplies by zero: neither draws.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        if (!training || p == 0 || x.numel() == 0) {
            return x;
        }
        float[] a = x.data();
        float[] mask = Allocation.floats(a.length);   // zeros: p = 1 keeps nothing and draws nothing
        if (p < 1) {
            double keep = 1 - p;
            generator.bernoulliMask(mask, 0, mask.length, keep, 1f / (float) keep);
        }
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = a[i] * mask[i];
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * mask[i];
        }, x);
    }

    /** Flattens dims start..end into one, as torch.flatten; the values are shared, not copied. */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        return ShapeOps.flatten(x, startDim, endDim);
    }

    /** Normalizes over the trailing {@code normalizedShape} dims, then applies weight and bias. */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int[] s = x.shapeView();
        int k = normalizedShape.length;
        boolean fits = s.length >= k;
        for (int i = 0; fits && i < k; i++) fits = s[s.length - k + i] == normalizedShape[i];
        if (!fits) {
            throw new ShapeException("Given normalized_shape=" + Shapes.format(normalizedShape) + ", expected input with shape [*, "
                    + Shapes.format(normalizedShape).substring(1) + ", but got input of size" + Shapes.format(s));
        }
        int n = Shapes.product(normalizedShape, 0, k);
        int rows = n == 0 ? 0 : x.numel() / n;
        Norm norm = Norm.over(x.data(), rows, n, eps);
        float[] w = weight == null ? null : weight.data();
        float[] b = bias == null ? null : bias.data();
        float[] y = Allocation.floats(x.numel());
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                int i = r * n + j;
                float v = norm.xhat[i];
                y[i] = w == null ? v : v * w[j] + (b == null ? 0 : b[j]);
            }
        }
        return Tensor.result(y, s, g -> {
            if (x.requiresGrad()) norm.backward(g, w, x.gradBuffer());
            float[] xhat = norm.xhat;
            if (weight != null && weight.requiresGrad()) {
                float[] dw = weight.gradBuffer();
                for (int r = 0; r < rows; r++) {
                    int at = r * n;
                    for (int j = 0; j < n; j++) dw[j] += g[at + j] * xhat[at + j];
                }
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.gradBuffer();
                for (int r = 0; r < rows; r++) {
                    int at = r * n;
                    for (int j = 0; j < n; j++) db[j] += g[at + j];
                }
            }
        }, x, weight, bias);
    }

    /**
     * Batch normalization over [N, C, *] of any rank, per channel (the modules check their rank).
     * With batch statistics (training, or no running ones) and running statistics given in
     * training, those move in place: running = (1 - f) running + f stat, with the unbiased
     * variance, as PyTorch.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double exponentialAverageFactor, double eps) {
        int[] s = x.shapeView();
        if (s.length < 2) {
            throw new ShapeException("expected at least 2D input (got " + s.length + "D input)");
        }
        int batch = s[0];
        int channels = s[1];
        int length = Shapes.product(s, 2, s.length);
        int expected = runningMean != null ? runningMean.numel() : weight != null ? weight.numel() : channels;
        if (expected != channels) {
            throw new ShapeException((runningMean != null ? "running_mean" : "weight") + " should contain " + channels
                    + " elements not " + expected);
        }
        boolean batchStats = training || runningMean == null;
        if (training && batch * length <= 1) {
            throw new ShapeException("Expected more than 1 value per channel when training, got input size " + Shapes.torchSize(s));
        }
        // view as channels of batch*length values: element (n, c, l) at n*C*L + c*L + l, runs of L
        // contiguous values. As PyTorch's CPU kernel: the statistics summed in float64 (mean, then the
        // squared deviations from it), kept as float mean and 1/std per channel for the backward
        // (which works from x, as PyTorch saves the input, not a normalized copy); the output is
        // x * alpha + beta in float with alpha = 1/std * weight, beta = bias - mean * alpha.
        float[] a = x.data();
        int m = batch * length;
        float[] means = new float[channels];
        float[] rstd = new float[channels];
        float[] w = weight == null ? null : weight.data();
        float[] b = bias == null ? null : bias.data();
        float[] y = Allocation.floats(a.length);
        int stride = channels * length;
        for (int c = 0; c < channels; c++) {
            float mean;
            float r;
            if (batchStats) {
                double sum = 0;
                for (int base = c * length; base < a.length; base += stride) sum += RunSums.sum(a, base, length);
                double mu = sum / m;
                double sq = 0;
                for (int base = c * length; base < a.length; base += stride) sq += RunSums.squaredDeviations(a, base, length, mu);
                double var = sq / m;
                if (training && runningMean != null) {
                    double f = exponentialAverageFactor;
                    runningMean.data()[c] = (float) ((1 - f) * runningMean.data()[c] + f * mu);
                    runningVar.data()[c] = (float) ((1 - f) * runningVar.data()[c] + f * (m > 1 ? sq / (m - 1) : var));
                }
                mean = (float) mu;
                r = (float) (1 / Math.sqrt(var + eps));
            } else {
                mean = runningMean.data()[c];
                r = (float) (1 / Math.sqrt(runningVar.data()[c] + eps));
            }
            means[c] = mean;
            rstd[c] = r;
            float alpha = w == null ? r : r * w[c];
            float beta = (b == null ? 0f : b[c]) - mean * alpha;
            for (int base = c * length; base < a.length; base += stride) {
                for (int l = base; l < base + length; l++) y[l] = a[l] * alpha + beta;
            }
        }
        return Tensor.result(y, s, g -> {
            boolean dxNeeded = x.requiresGrad();
            boolean inPlace = dxNeeded && x.adoptGrad(g);   // each channel's sums of g are taken before its dx overwrites it
            float[] dx = !dxNeeded ? null : inPlace ? g : x.gradBuffer();
            float[] dw = weight != null && weight.requiresGrad() ? weight.gradBuffer() : null;
            float[] db = bias != null && bias.requiresGrad() ? bias.gradBuffer() : null;
            for (int c = 0; c < channels; c++) {
                float mc = means[c];
                float rc = rstd[c];
                double sumG = 0;
                double dotp = 0;   // sum of g * (x - mean)
                for (int base = c * length; base < a.length; base += stride) {
                    sumG += RunSums.sum(g, base, length);
                    dotp += RunSums.deviationsDot(a, g, base, length, mc);
                }
                if (dw != null) dw[c] += (float) (dotp * rc);
                if (db != null) db[c] += (float) sumG;
                if (dx != null) {
                    // dx = (g - mean(g) - (x - mean) k) / std * w with k = dotp / std^2 / m, as PyTorch's
                    // kernel orders it (float); in eval mode the statistics are constants: dx = g / std * w
                    float wc = w == null ? 1f : w[c];
                    float k = batchStats ? (float) dotp * rc * rc / m : 0f;
                    float gm = batchStats ? (float) (sumG / m) : 0f;
                    for (int base = c * length; base < a.length; base += stride) {
                        if (inPlace) {
                            for (int l = base; l < base + length; l++) dx[l] = (g[l] - gm - (a[l] - mc) * k) * rc * wc;
                        } else {
                            for (int l = base; l < base + length; l++) dx[l] += (g[l] - gm - (a[l] - mc) * k) * rc * wc;
                        }
                    }
                }
            }
        }, x, weight, bias);
    }

    /**
     * {@code F.group_norm}: over [N, C, *], each sample's channels in {@code groups} runs of C / groups
     * channels (contiguous in memory), each normalized as one row; then weight and bias per channel.
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        int[] s = x.shapeView();
        if (s.length < 2 || s[1] % groups != 0) {
            throw new ShapeException("Expected number of channels in input to be divisible by num_groups, but got input of shape "
                    + Shapes.format(s) + " and num_groups=" + groups);
        }
        int channels = s[1];
        int spatial = Shapes.product(s, 2, s.length);
        int rows = s[0] * groups;
        int n = channels / groups * spatial;
        Norm norm = Norm.over(x.data(), rows, n, eps);
        float[] w = weight == null ? null : weight.data();
        float[] b = bias == null ? null : bias.data();
        float[] y = Allocation.floats(x.numel());
        for (int i = 0; i < y.length; i++) {
            int c = (i / spatial) % channels;
            y[i] = w == null ? norm.xhat[i] : norm.xhat[i] * w[c] + (b == null ? 0 : b[c]);
        }
        return Tensor.result(y, s, g -> {
            if (x.requiresGrad()) {
                float[] gx = Allocation.floats(g.length);
                for (int i = 0; i < g.length; i++) gx[i] = w == null ? g[i] : g[i] * w[(i / spatial) % channels];
                norm.backward(gx, x.gradBuffer());
            }
            if (weight != null && weight.requiresGrad()) {
                float[] dw = weight.gradBuffer();
                for (int i = 0; i < g.length; i++) dw[(i / spatial) % channels] += g[i] * norm.xhat[i];
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.gradBuffer();
                for (int i = 0; i < g.length; i++) db[(i / spatial) % channels] += g[i];
            }
        }, x, weight, bias);
    }

    /** Rows of n values normalized to zero mean and unit variance (biased), with the gradient through it. */
    private record Norm(float[] xhat, float[] rstd, int rows, int n) {
        static Norm over(float[] a, int rows, int n, double eps) {
            float[] xhat = Allocation.floats(a.length);
            float[] rstd = new float[rows];
            for (int r = 0; r < rows; r++) {     // RunSums: four running parts, no add waits on the one before
                int at = r * n;
                double mean = RunSums.sum(a, at, n) / n;
                double sq = RunSums.squaredDeviations(a, at, n, mean);
                double rs = 1 / Math.sqrt(sq / n + eps);
                rstd[r] = (float) rs;
                for (int j = 0; j < n; j++) xhat[r * n + j] = (float) ((a[r * n + j] - mean) * rs);
            }
            return new Norm(xhat, rstd, rows, n);
        }

        /**
         * dx += rstd (gx - mean(gx) - xhat mean(gx xhat)) per row, gx = g w the gradient at xhat ({@code w}
         * per column of a row, or null for g itself), each gx rounded to float as it was when it was stored.
         */
        void backward(float[] g, float[] w, float[] dx) {
            if (w == null) {
                backward(g, dx);
                return;
            }
            for (int r = 0; r < rows; r++) {
                int at = r * n;
                double g0 = 0;                   // in two running parts each, as in over()
                double g1 = 0;
                double x0 = 0;
                double x1 = 0;
                int n2 = n & ~1;
                for (int j = 0; j < n2; j += 2) {
                    float gx0 = g[at + j] * w[j];
                    float gx1 = g[at + j + 1] * w[j + 1];
                    g0 += gx0;
                    g1 += gx1;
                    x0 += (double) gx0 * xhat[at + j];
                    x1 += (double) gx1 * xhat[at + j + 1];
                }
                if (n2 < n) {
                    float gx = g[at + n2] * w[n2];
                    g0 += gx;
                    x0 += (double) gx * xhat[at + n2];
                }
                double sumG = g0 + g1;
                double sumGx = x0 + x1;
                double rs = rstd[r];
                for (int j = 0; j < n; j++) {
                    int i = at + j;
                    dx[i] += (float) (rs * (g[i] * w[j] - sumG / n - xhat[i] * sumGx / n));
                }
            }
        }

        /** dx += rstd (g - mean(g) - xhat mean(g xhat)) per row. */
        void backward(float[] g, float[] dx) {
            for (int r = 0; r < rows; r++) {
                double sumG = 0;
                double sumGx = 0;
                for (int j = 0; j < n; j++) {
                    sumG += g[r * n + j];
                    sumGx += (double) g[r * n + j] * xhat[r * n + j];
                }
                for (int j = 0; j < n; j++) {
                    int i = r * n + j;
                    dx[i] += (float) (rstd[r] * (g[i] - sumG / n - xhat[i] * sumGx / n));
                }
            }
        }
    }
}
