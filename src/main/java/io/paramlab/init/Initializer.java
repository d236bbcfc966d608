package io.paramlab.init;

import io.paramlab.tensor.Generator;

import java.util.Arrays;

/**
 * Applies a policy in place as the nn.init function of the same name does, with the same
 * draws from the generator: each policy computes a bound or a std, then calls one sampler.
 */
public final class Initializer {
    private static final double SQRT_3 = Math.sqrt(3.0);

    private Initializer() {
    }

    public static void apply(InitPolicy policy, float[] data, int[] shape, Generator generator) {
        if (policy instanceof InitPolicy.Zeros) {
            Arrays.fill(data, 0f);
        } else if (policy instanceof InitPolicy.Ones) {
            Arrays.fill(data, 1f);
        } else if (policy instanceof InitPolicy.Constant c) {
            Arrays.fill(data, (float) c.value());
        } else if (policy instanceof InitPolicy.Uniform u) {
            uniform(data, u.a(), u.b(), generator);
        } else if (policy instanceof InitPolicy.Normal n) {
            if (n.std() < 0) {
                throw new InitException("normal expects std >= 0.0, but found std " + cpp(n.std()));
            }
            generator.normal(data, n.mean(), n.std());
        } else if (policy instanceof InitPolicy.XavierUniform x) {
            double bound = SQRT_3 * xavierStd(shape, x.gain());
            generator.uniform(data, -bound, bound);
        } else if (policy instanceof InitPolicy.XavierNormal x) {
            generator.normal(data, 0, xavierStd(shape, x.gain()));
        } else if (policy instanceof InitPolicy.KaimingUniform k) {
            double bound = SQRT_3 * kaimingStd(shape, k.a(), k.mode(), k.nonlinearity());
            generator.uniform(data, -bound, bound);
        } else if (policy instanceof InitPolicy.KaimingNormal k) {
            generator.normal(data, 0, kaimingStd(shape, k.a(), k.mode(), k.nonlinearity()));
        } else if (policy instanceof InitPolicy.TruncNormal t) {
            truncNormal(data, t, generator);
        } else if (policy instanceof InitPolicy.Orthogonal o) {
            Orthogonal.fill(data, shape, o.gain(), generator);
        } else if (policy instanceof InitPolicy.Eye) {
            eye(data, shape);
        } else if (policy instanceof InitPolicy.Custom c) {
            apply(c.base(), data, shape, generator);
            for (int i = 0; i < data.length; i++) data[i] = c.expr().apply(data[i]);
        } else {
            throw new IllegalArgumentException("the layer's own reset (default) is drawn by the layer, not here");
        }
    }

    private static void uniform(float[] data, double from, double to, Generator generator) {
        if (from > to) {
            throw new InitException("uniform_ expects to return a [from, to) range, but found from=" + cpp(from) + " > to=" + cpp(to));
        }
        generator.uniform(data, from, to);
    }

    /** A number as PyTorch's C++ messages print it: six significant digits, no trailing zeros. */
    static String cpp(double value) {
        String text = new java.math.BigDecimal(value).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        return text.equals("-0") ? "0" : text;
    }

    private static double xavierStd(int[] shape, double gain) {
        long[] fans = Fans.fanInAndFanOut(shape);
        return gain * Math.sqrt(2.0 / (double) (fans[0] + fans[1]));
    }

    private static double kaimingStd(int[] shape, double a, String mode, String nonlinearity) {
        long fan = Fans.correctFan(shape, mode);
        return Fans.calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /** PyTorch 1.13's _no_grad_trunc_normal_: uniform on [2l-1, 2u-1], erfinv, scale, shift, clamp. */
    private static void truncNormal(float[] data, InitPolicy.TruncNormal t, Generator generator) {
        double l = normCdf((t.a() - t.mean()) / t.std());
        double u = normCdf((t.b() - t.mean()) / t.std());
        uniform(data, 2 * l - 1, 2 * u - 1, generator);
        float scale = (float) (t.std() * Math.sqrt(2.0));
        float mean = (float) t.mean();
        for (int i = 0; i < data.length; i++) {
            float v = (float) ErfInv.erfinv(data[i]) * scale + mean;
            data[i] = Math.max((float) t.a(), Math.min((float) t.b(), v));
        }
    }

    private static double normCdf(double x) {
        return (1 + ErfInv.erf(x / Math.sqrt(2.0))) / 2;
    }

    private static void eye(float[] data, int[] shape) {
        if (shape.length != 2) {
            throw new InitException("Only tensors with 2 dimensions are supported");
        }
        Arrays.fill(data, 0f);
        for (int i = 0; i < Math.min(shape[0], shape[1]); i++) data[i * shape[1] + i] = 1f;
    }
}
