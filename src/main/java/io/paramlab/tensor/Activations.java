package io.paramlab.tensor;

import java.util.function.DoubleSupplier;

/**
 * The elementwise activations of convolutional networks and stochastic depth, each with its gradient
 * beside it, written as PyTorch's CPU kernels write them (which side of a kink gets which slope).
 */
public final class Activations {
    private Activations() {
    }

    /** The value and the derivative of one elementwise function at x. */
    private interface Pointwise {
        float value(float x);

        float derivative(float x);
    }

    private static Tensor pointwise(Tensor x, Pointwise f) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = f.value(a[i]);
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * f.derivative(a[i]);
        }, x);
    }

    /**
     * {@code F.relu6}, PyTorch's hardtanh(0, 6): NaN passes, the gradient is zero at and beyond both
     * kinks (and passes for NaN). Its own loops, without branches (mobilenet's activations are of
     * random sign, and a branch would mispredict half the time; see Functional.relu).
     */
    public static Tensor relu6(Tensor x) {
        float[] a = x.data();
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = Math.min(Math.max(a[i], 0f), 6f);   // NaN passes through both
        return Tensor.result(y, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * betweenZeroAndSix(a[i]);
        }, x);
    }

    private static final int ONE_BITS = Float.floatToRawIntBits(1f);
    private static final int SIX_BITS = Float.floatToRawIntBits(6f);

    /** 1 where {@code 0 < v < 6} or v is NaN, else 0 (both zeros included), from v's bits. */
    private static float betweenZeroAndSix(float v) {
        int bits = Float.floatToRawIntBits(v);
        int inside = ~(((bits - 1) | (SIX_BITS - 1 - bits)) >> 31);            // all ones iff 0 < bits < bits(6)
        int nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;                     // all ones iff |v| is NaN
        return Float.intBitsToFloat(ONE_BITS & (inside | nan));
    }

    /** {@code F.silu}: x sigmoid(x). */
    public static Tensor silu(Tensor x) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                return (float) (v / (1.0 + Math.exp(-v)));
            }

            public float derivative(float v) {
                double s = 1.0 / (1.0 + Math.exp(-v));
                return (float) (s * (1 + v * (1 - s)));
            }
        });
    }

    /** {@code F.hardswish}: x min(max(x + 3, 0), 6) / 6; NaN's gradient passes as PyTorch's. */
    public static Tensor hardswish(Tensor x) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                return v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
            }

            public float derivative(float v) {
                // PyTorch's vectorized kernel (what all but a tensor's last few elements take): 1 from 3 on
                return v < -3f ? 0f : v >= 3f ? 1f : v / 3f + 0.5f;
            }
        });
    }

    /** {@code F.hardsigmoid}: min(max(x + 3, 0), 6) / 6. */
    public static Tensor hardsigmoid(Tensor x) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                return Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
            }

            public float derivative(float v) {
                return v > -3f && v < 3f ? 1f / 6f : 0f;
            }
        });
    }

    /** {@code F.mish}: x tanh(softplus(x)). */
    public static Tensor mish(Tensor x) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                return (float) (v * Math.tanh(Math.log1p(Math.exp(v))));
            }

            public float derivative(float v) {
                double s = 1.0 / (1.0 + Math.exp(-v));
                double t = Math.tanh(Math.log1p(Math.exp(v)));
                return (float) (t + v * s * (1 - t * t));
            }
        });
    }

    /** {@code F.elu(x, alpha)}: x for x > 0, alpha (exp(x) - 1) otherwise. */
    public static Tensor elu(Tensor x, double alpha) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                return v > 0f ? v : (float) (alpha * Math.expm1(v));
            }

            public float derivative(float v) {
                return v > 0f ? 1f : (float) (alpha * Math.exp(v));
            }
        });
    }

    /** {@code F.softplus(x, beta, threshold)}: log(1 + exp(beta x)) / beta, linear where beta x > threshold. */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        return pointwise(x, new Pointwise() {
            public float value(float v) {
                double z = v * beta;
                return z > threshold ? v : (float) (Math.log1p(Math.exp(z)) / beta);
            }

            public float derivative(float v) {
                double z = v * beta;
                if (z > threshold) {
                    return 1f;
                }
                double e = Math.exp(z);
                return (float) (e / (e + 1));
            }
        });
    }

    /**
     * {@code torchvision.ops.stochastic_depth(input, p, mode, training)}: the identity unless training
     * with p > 0; else noise of shape [N, 1, ...] ("row") or one value ("batch") drawn as
     * {@code bernoulli_(1 - p)} on PyTorch's CPU (u < 1 - p from one 53-bit double each), divided by
     * the survival rate, times the input.
     */
    public static Tensor stochasticDepth(Tensor x, double p, String mode, boolean training, DoubleSupplier uniform01) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("drop probability has to be between 0 and 1, but got " + p);
        }
        if (!mode.equals("batch") && !mode.equals("row")) {
            throw new IllegalArgumentException("mode has to be either 'batch' or 'row', but got " + mode);
        }
        if (!training || p == 0) {
            return x;
        }
        int[] s = x.shapeView();
        double survival = 1 - p;
        int rows = mode.equals("row") && s.length > 0 ? s[0] : 1;
        float[] noise = new float[rows];
        for (int i = 0; i < rows; i++) {
            float keep = uniform01.getAsDouble() < survival ? 1f : 0f;
            noise[i] = survival > 0 ? keep / (float) survival : keep;
        }
        float[] a = x.data();
        int per = rows == 0 ? 0 : a.length / rows;
        float[] y = Allocation.floats(a.length);
        for (int i = 0; i < a.length; i++) y[i] = a[i] * noise[i / Math.max(per, 1)];
        return Tensor.result(y, s, g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < a.length; i++) dx[i] += g[i] * noise[i / Math.max(per, 1)];
        }, x);
    }
}
