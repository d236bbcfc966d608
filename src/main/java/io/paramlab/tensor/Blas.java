package io.paramlab.tensor;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major matrix products through dev.ludovic.netlib's sgemm (the system's OpenBLAS by JNI
 * when present, its Java fallback otherwise). BLAS is column-major: a row-major C = A B is the
 * column-major C^T = B^T A^T, so the operands swap. Tiny products stay in plain Java, where a
 * JNI call would cost more than the arithmetic.
 */
public final class Blas {
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();
    private static final long SMALL = 16 * 16 * 16;

    private Blas() {
    }

    /** Which netlib implementation was chosen: JNIBLAS (native OpenBLAS), VectorBLAS or Java8BLAS. */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /**
     * Row-major {@code C[m x n] = op(A)[m x k] op(B)[k x n] + beta C}; A is stored [m x k]
     * ([k x m] when transposed), B [k x n] ([n x k] when transposed).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c, float beta) {
        if (m == 0 || n == 0) {
            return;
        }
        if ((long) m * n * k <= SMALL) {
            javaGemm(transA, transB, m, n, k, a, b, c, beta);
            return;
        }
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1f,
                b, transB ? Math.max(1, k) : Math.max(1, n), a, transA ? Math.max(1, m) : Math.max(1, k),
                beta, c, Math.max(1, n));
    }

    private static void javaGemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c, float beta) {
        for (int i = 0; i < m; i++) {
            int row = i * n;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
            for (int p = 0; p < k; p++) {
                float av = transA ? a[p * m + i] : a[i * k + p];
                if (transB) {
                    for (int j = 0; j < n; j++) c[row + j] += av * b[j * k + p];
                } else {
                    int brow = p * n;
                    for (int j = 0; j < n; j++) c[row + j] += av * b[brow + j];
                }
            }
        }
    }
}
