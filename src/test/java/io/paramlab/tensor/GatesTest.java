package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vectorizable sigmoid and tanh against the double formulas through Math.exp and StrictMath
 * (what the ops computed before, and what PyTorch's float answers are within an ulp of).
 */
class GatesTest {
    private static float sigmoidReference(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    private static float tanhReference(float x) {
        return (float) StrictMath.tanh(x);
    }

    /** Inputs: normal at scales from 1e-6 to 60, and random bit patterns (NaN, infinities, subnormals). */
    private static float[] inputs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] scales = {1e-6, 1e-3, 0.1, 1, 3, 10, 60};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = i % (scales.length + 1);
            if (kind == scales.length) {
                x[i] = Float.intBitsToFloat(random.nextInt());
            } else {
                x[i] = (float) (scales[kind] * gaussian(random));
            }
        }
        return x;
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    @Test
    void sigmoidAndTanhRoundAsTheDoubleFormulasWithinAnUlpOnRareTies() {
        int n = 2_000_000;
        float[] x = inputs(n, 20261207L);
        float[] s = new float[n];
        float[] t = new float[n];
        double[] tmp = Gates.scratch();
        Gates.sigmoid(x, 0, s, 0, n, tmp);
        Gates.tanh(x, 0, t, 0, n, tmp);
        int sigmoidOff = 0;
        int tanhOff = 0;
        for (int i = 0; i < n; i++) {
            float rs = sigmoidReference(x[i]);
            float rt = tanhReference(x[i]);
            if (Float.isNaN(x[i])) {
                assertThat(s[i]).isNaN();
                assertThat(t[i]).isNaN();
                continue;
            }
            if (s[i] != rs) {
                sigmoidOff++;
                assertThat(Math.abs(s[i] - rs)).as("sigmoid(%s)", x[i]).isLessThanOrEqualTo(Math.ulp(rs));
            }
            if (Float.floatToRawIntBits(t[i]) != Float.floatToRawIntBits(rt)) {
                tanhOff++;
                assertThat(Math.abs(t[i] - rt)).as("tanh(%s)", x[i]).isLessThanOrEqualTo(Math.ulp(rt));
            }
        }
        assertThat(sigmoidOff).as("sigmoids one ulp off").isLessThanOrEqualTo(n / 200_000);
        assertThat(tanhOff).as("tanhs one ulp off").isLessThanOrEqualTo(n / 200_000);
    }

    @Test
    void edgesAndOffsets() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 200f, -200f, 88f, -88f, 20f, -20f, 1e-30f, -1e-30f};
        float[] s = new float[x.length + 2];
        float[] t = new float[x.length + 2];
        double[] tmp = new double[3];   // runs longer than the scratch go by pieces
        Gates.sigmoid(x, 0, s, 2, x.length, tmp);
        Gates.tanh(x, 0, t, 2, x.length, tmp);
        assertThat(s[0]).isZero();
        assertThat(s[2]).isNaN();
        assertThat(t[2]).isNaN();
        for (int i = 1; i < x.length; i++) {
            assertThat(s[i + 2]).as("sigmoid(%s)", x[i]).isEqualTo(sigmoidReference(x[i]));
            assertThat(Float.floatToRawIntBits(t[i + 2])).as("tanh(%s)", x[i]).isEqualTo(Float.floatToRawIntBits(tanhReference(x[i])));
        }
    }

    /**
     * Where the range reduction switches k (z = (k + 1/2) ln 2, so x = (k + 1/2) ln 2 for the sigmoid's
     * -x and x = (k + 1/2) ln 2 / 2 for the tanh's 2x), a few floats either side, and the sigmoid's
     * subnormal answers down to the clamp: the float answers are the references' but for rare ties.
     */
    @Test
    void reductionSwitchesAndSubnormalsAsTheDoubleFormulas() {
        float[] x = new float[2 * 161 * 2 * 9 + 4000];
        int n = 0;
        for (int k = -160; k <= 160; k++) {
            for (double at : new double[] {(k + 0.5) * Math.log(2), (k + 0.5) * Math.log(2) / 2}) {
                float c = (float) at;
                for (int d = -4; d <= 4; d++) {
                    float v = c;
                    for (int i = 0; i < Math.abs(d); i++) v = d < 0 ? Math.nextDown(v) : Math.nextUp(v);
                    x[n++] = v;
                }
            }
        }
        for (int i = 0; i < 4000; i++) x[n++] = -80f - 30f * i / 4000;
        float[] s = new float[n];
        float[] t = new float[n];
        Gates.sigmoid(x, 0, s, 0, n, Gates.scratch());
        Gates.tanh(x, 0, t, 0, n, Gates.scratch());
        int off = 0;
        for (int i = 0; i < n; i++) {
            float rs = sigmoidReference(x[i]);
            float rt = tanhReference(x[i]);
            if (s[i] != rs) {
                off++;
                assertThat(Math.abs(s[i] - rs)).as("sigmoid(%s)", x[i]).isLessThanOrEqualTo(Math.ulp(rs));
            }
            if (t[i] != rt) {
                off++;
                assertThat(Math.abs(t[i] - rt)).as("tanh(%s)", x[i]).isLessThanOrEqualTo(Math.ulp(rt));
            }
        }
        assertThat(off).as("answers one ulp off").isLessThanOrEqualTo(1);
    }
}
