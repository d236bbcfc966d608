package io.paramlab.tensor;

/**
 * sigmoid and tanh over runs of a float array, in double, written as straight loops of double
 * arithmetic that the JIT turns into vector instructions (Java 17 has no vector exp: Math.exp is a
 * scalar call, and an LSTM's gates spent more time in it than in their gemms). Both go through
 * {@code expm1(z)} for z clamped to [-110, 110] (beyond, both answers are 0, 1 or ±1 in float):
 * the series of e^r - 1 to r^8 at r = z / 1024, then ten doublings {@code m <- m (m + 2)}, which
 * keep m's relative precision for small z, so tanh(x) = m / (m + 2) with m = expm1(2x) needs no
 * series near 0. Rounded to float the answers are those of the double formulas through Math.exp
 * on all but about one input in a million, where the two differ by one ulp on a rounding tie
 * ({@code GatesTest}); NaN passes and tanh keeps -0's sign.
 */
final class Gates {
    private static final double C2 = 1.0 / 2;
    private static final double C3 = 1.0 / 6;
    private static final double C4 = 1.0 / 24;
    private static final double C5 = 1.0 / 120;
    private static final double C6 = 1.0 / 720;
    private static final double C7 = 1.0 / 5040;
    private static final double C8 = 1.0 / 40320;
    private static final double LIMIT = 110;
    private static final double SCALE = 1.0 / 1024;

    private Gates() {
    }

    /** A scratch run for the calls below (any length; 512 is plenty). */
    static double[] scratch() {
        return new double[512];
    }

    /** {@code out[oo + j] = (float) sigmoid(x[xo + j])} for j below n (x and out may be the same run). */
    static void sigmoid(float[] x, int xo, float[] out, int oo, int n, double[] tmp) {
        apply(x, xo, out, oo, n, tmp, -1, 0, 1);   // 1 / (1 + e^-x) = 1 / (expm1(-x) + 2)
    }

    /** {@code out[oo + j] = (float) tanh(x[xo + j])} for j below n (x and out may be the same run). */
    static void tanh(float[] x, int xo, float[] out, int oo, int n, double[] tmp) {
        apply(x, xo, out, oo, n, tmp, 2, 1, -0.0);   // expm1(2x) / (expm1(2x) + 2); + -0 keeps -0
    }

    /**
     * {@code (a m + b) / (m + 2)} with {@code m = expm1(factor x)}, through the scratch run by pieces:
     * copies in and out, and the arithmetic in a loop of doubles alone, which is what the JIT vectorizes.
     */
    private static void apply(float[] x, int xo, float[] out, int oo, int n, double[] tmp, double factor, double a, double b) {
        for (int s = 0; s < n; s += tmp.length) {
            int len = Math.min(tmp.length, n - s);
            int from = xo + s;
            int to = oo + s;
            for (int j = 0; j < len; j++) tmp[j] = x[from + j];
            for (int j = 0; j < len; j++) {
                double r = Math.max(-LIMIT, Math.min(LIMIT, factor * tmp[j])) * SCALE;
                double m = r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * (C7 + r * C8)))))));
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                m = m * (m + 2);
                tmp[j] = (a * m + b) / (m + 2);
            }
            for (int j = 0; j < len; j++) out[to + j] = (float) tmp[j];
        }
    }
}
