package io.paramlab.init;

import io.paramlab.tensor.Generator;

import java.util.Arrays;

/**
 * The samplers and bounds the policies share, as nn.init computes them: each policy computes a
 * bound or a std, then calls one sampler.
 */
public final class Initializer {
    private Initializer() {
    }

    /** {@code policy}'s nn.init function on {@code data}; kept as the one entry point the layers and the rules call. */
    public static void apply(InitPolicy policy, float[] data, int[] shape, Generator generator) {
        policy.fill(data, shape, generator);
    }

    static void uniform(float[] data, double from, double to, Generator generator) {
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

    static double xavierStd(int[] shape, double gain) {
        long[] fans = Fans.fanInAndFanOut(shape);
        return gain * Math.sqrt(2.0 / (double) (fans[0] + fans[1]));
    }

    static double kaimingStd(int[] shape, double a, FanMode mode, Nonlinearity nonlinearity) {
        long fan = Fans.correctFan(shape, mode);
        return nonlinearity.gain(a) / Math.sqrt(fan);
    }

    /** PyTorch 1.13's _no_grad_trunc_normal_: uniform on [2l-1, 2u-1], erfinv, scale, shift, clamp. */
    static void truncNormal(float[] data, InitPolicy.TruncNormal t, Generator generator) {
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

    static void eye(float[] data, int[] shape) {
        if (shape.length != 2) {
            throw new InitException("Only tensors with 2 dimensions are supported");
        }
        Arrays.fill(data, 0f);
        for (int i = 0; i < Math.min(shape[0], shape[1]); i++) data[i * shape[1] + i] = 1f;
    }
}
