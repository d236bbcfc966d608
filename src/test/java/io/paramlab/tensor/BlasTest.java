package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The BLAS that {@link Blas} chose, and its products against a double-precision loop. The build
 * runs this class twice: once as configured (the native OpenBLAS where it exists) and once in the
 * "java-blas" surefire execution, where no native library can load and netlib's Java fallback
 * computes every product.
 */
class BlasTest {
    /** Set by the java-blas execution, which also points netlib at a library that does not exist. */
    static final boolean JAVA_RUN = Boolean.getBoolean("paramlab.test.java-blas");

    /** OpenBLAS where the system has it, unless this is the fallback run, which must really be Java. */
    @Test
    void theChosenBlasIsTheExpectedOne() {
        if (JAVA_RUN) {
            assertThat(Blas.implementation()).isIn("VectorBLAS", "Java11BLAS", "Java8BLAS");
            return;
        }
        assumeThat(Blas.openBlasInstalled()).as("OpenBLAS (libopenblas.so.0) is installed").isTrue();
        assertThat(Blas.implementation()).isEqualTo("JNIBLAS");
        assertThat(Blas.describe()).contains("libopenblas.so.0");
    }

    /** Above the size where products stay in plain Java, so they reach the chosen BLAS. */
    @Test
    void everyTranspositionAndBetaMatchesADoubleLoop() {
        Random random = new Random(7);
        int m = 33, n = 19, k = 41;
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f}) {
                    float[] a = randoms(random, m * k), b = randoms(random, k * n), c = randoms(random, m * n);
                    double[] expected = new double[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double sum = beta * c[i * n + j];
                            for (int p = 0; p < k; p++) {
                                sum += (double) (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                            }
                            expected[i * n + j] = sum;
                        }
                    }
                    Blas.sgemm(transA, transB, m, n, k, a, b, c, beta);
                    for (int i = 0; i < m * n; i++) {
                        assertThat((double) c[i]).as("transA=%s transB=%s beta=%s element %d", transA, transB, beta, i)
                                .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
            }
        }
    }

    private static float[] randoms(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) random.nextGaussian();
        return out;
    }
}
