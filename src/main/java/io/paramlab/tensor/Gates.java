package io.paramlab.tensor;

/**
 * sigmoid and tanh over runs of a float array, in double, written as straight loops of double
 * arithmetic that the JIT turns into vector instructions (Java 17 has no vector exp: Math.exp is a
 * scalar call, and an LSTM's gates spent more time in it than in their gemms). Both go through
 * {@code m = expm1(z)} for z clamped to [-110, 110] (beyond, both answers are 0, 1 or ±1 in float):
 * z = k ln 2 + r with k = rint(z / ln 2) and |r| <= ln 2 / 2 (Cody-Waite, ln 2 in two parts), expm1(r)
 * by a degree-11 polynomial r (1 + r q(r)) (q fitted at Chebyshev nodes, relative error 4e-17), then
 * {@code m = 2^k expm1(r) - (1 - 2^k)}, which is expm1(r) itself for k = 0, so tanh(x) = m / (m + 2)
 * with m = expm1(2x) keeps its relative precision near 0. 2^k is built from k's bits, which the JIT
 * does not vectorize: that one step is a scalar loop of its own between the vector loops (a loop that
 * mixed it in ran scalar throughout). Rounded to float the answers are those of the double formulas
 * through Math.exp but for rare one-ulp ties ({@code GatesTest}); NaN passes and tanh keeps -0's sign.
 */
final class Gates {
    private static final double LIMIT = 110;
    private static final double INV_LN2 = 1.4426950408889634;
    private static final double LN2_HI = 6.93147180369123816490e-01;   // fdlibm's: k LN2_HI is exact for |k| < 2^20
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double SHIFTER = 0x1.8p52;                     // z / ln 2 + SHIFTER rounds to k in the low bits
    private static final long ONE = 1023L << 52;
    // q(r) = (expm1(r) / r - 1) / r on [-ln 2 / 2, ln 2 / 2], interpolated at 10 Chebyshev nodes (mpmath, 40 digits)
    private static final double P0 = 0.5000000000000001;
    private static final double P1 = 0.16666666666666669;
    private static final double P2 = 0.041666666666624164;
    private static final double P3 = 0.008333333333330065;
    private static final double P4 = 0.0013888888917196719;
    private static final double P5 = 0.00019841269863040545;
    private static final double P6 = 2.4801521322368692e-05;
    private static final double P7 = 2.7557268480310024e-06;
    private static final double P8 = 2.7620075879983367e-07;
    private static final double P9 = 2.5100375832561234e-08;
    /** A piece's length: the scratch holds the piece's polynomials, then its 2^k at this fixed offset (the JIT vectorizes that). */
    private static final int PIECE = 512;

    private Gates() {
    }

    /** A scratch run for the calls below (a shorter one is replaced by a new one of this length). */
    static double[] scratch() {
        return new double[2 * PIECE];
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
     * {@code (a m + b) / (m + 2)} with {@code m = expm1(factor x)}, through the scratch by pieces: copies
     * in and out, the arithmetic in loops of doubles alone (which the JIT vectorizes), and 2^k's bits.
     */
    private static void apply(float[] x, int xo, float[] out, int oo, int n, double[] scratch, double factor, double a, double b) {
        double[] tmp = scratch.length < 2 * PIECE ? scratch() : scratch;
        for (int s = 0; s < n; s += PIECE) {
            int len = Math.min(PIECE, n - s);
            int from = xo + s;
            int to = oo + s;
            for (int j = 0; j < len; j++) tmp[j] = x[from + j];
            for (int j = 0; j < len; j++) {
                double z = Math.max(-LIMIT, Math.min(LIMIT, factor * tmp[j]));
                double t = Math.fma(z, INV_LN2, SHIFTER);
                double k = t - SHIFTER;
                double r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, z));
                double q = Math.fma(r, P9, P8);
                q = Math.fma(r, q, P7);
                q = Math.fma(r, q, P6);
                q = Math.fma(r, q, P5);
                q = Math.fma(r, q, P4);
                q = Math.fma(r, q, P3);
                q = Math.fma(r, q, P2);
                q = Math.fma(r, q, P1);
                q = Math.fma(r, q, P0);
                tmp[j] = r * Math.fma(r, q, 1);   // expm1(r)
                tmp[PIECE + j] = t;
            }
            for (int j = PIECE; j < PIECE + len; j++) {
                tmp[j] = Double.longBitsToDouble((Double.doubleToRawLongBits(tmp[j]) << 52) + ONE);   // 2^k
            }
            for (int j = 0; j < len; j++) {
                double scale = tmp[PIECE + j];
                double m = Math.fma(scale, tmp[j], -(1 - scale));   // -(1 - 1) = -0 keeps expm1(-0) = -0
                tmp[j] = Math.fma(a, m, b) / (m + 2);
            }
            for (int j = 0; j < len; j++) out[to + j] = (float) tmp[j];
        }
    }
}
