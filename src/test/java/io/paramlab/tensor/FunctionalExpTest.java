package io.paramlab.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Softmax's vectorizable exp ({@link Functional#expNonPositive}) against Math.exp and PyTorch. */
class FunctionalExpTest {

    @Test
    void expWithinTenToTheMinus13OfMathExpOverTheWholeRange() {
        Random random = new Random(7);
        int n = 1 << 20;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) z[i] = i < 16 ? -i : -110 * random.nextDouble() * random.nextDouble();
        double[] e = z.clone();
        Functional.expNonPositive(e, n);
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(e[i] / Math.exp(z[i]) - 1));
        assertThat(worst).isLessThan(1e-12);
        double[] edges = {0.0, -0.0, -110, -1000, Double.NEGATIVE_INFINITY, Double.NaN};
        Functional.expNonPositive(edges, edges.length);
        assertThat(edges[0]).isEqualTo(1.0);
        assertThat(edges[1]).isEqualTo(1.0);
        assertThat(edges[3]).isLessThan(1e-47);   // clamped at -110: below any float beside the max's 1
        assertThat(edges[4]).isLessThan(1e-47);
        assertThat(edges[5]).isNaN();
    }

    @Test
    void softmaxRoundsAsMathExpDidButForRareTies() {
        Random random = new Random(11);
        int rows = 4096;
        int size = 128;
        float[] x = new float[rows * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextGaussian() * (1 + i % 7));
        float[] y = Functional.softmax(Tensor.of(x, rows, size), -1).data();
        int differ = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < size; j++) max = Math.max(max, x[r * size + j]);
            double sum = 0;
            double[] e = new double[size];
            for (int j = 0; j < size; j++) sum += e[j] = Math.exp(x[r * size + j] - max);
            for (int j = 0; j < size; j++) {
                float want = (float) (e[j] / sum);
                float got = y[r * size + j];
                assertThat(Math.abs(Float.floatToIntBits(got) - Float.floatToIntBits(want))).isLessThanOrEqualTo(1);
                if (got != want) differ++;
            }
        }
        assertThat(differ).isLessThan(x.length / 1000);
    }

    @Test
    void softmaxMatchesPyTorchAtTheEdges() {
        // torch.softmax(torch.tensor([[0.5, -1.25, 3.0, -200.0, -inf], [1e-3, 2e-3, -80.0, -104.0, -103.0]]), -1),
        // PyTorch 1.13 (Debian python3-torch), the floats' bits through .view(torch.int32), but for element 7:
        // PyTorch's float exp gives 88056610 there, 14 ulps from the float64 answer 88056596 (numpy's
        // np.exp in float64 of the same row, rounded), which is what Math.exp gave and what is kept here
        int[] bits = {1033459220, 1012214448, 1063878803, 0, 0, 1056956219, 1056968802, 88056596, 0, 1};
        float[] x = {0.5f, -1.25f, 3.0f, -200.0f, Float.NEGATIVE_INFINITY, 1e-3f, 2e-3f, -80.0f, -104.0f, -103.0f};
        float[] y = Functional.softmax(Tensor.of(x, 2, 5), -1).data();
        for (int i = 0; i < bits.length; i++) {
            assertThat(Math.abs(Float.floatToIntBits(y[i]) - bits[i])).as("element %d", i).isLessThanOrEqualTo(1);
        }
    }
}
