package io.paramlab.tensor;

import dev.ludovic.netlib.blas.BLAS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Row-major matrix products through dev.ludovic.netlib's sgemm (the system's OpenBLAS by JNI
 * when present, its Java fallback otherwise). BLAS is column-major: a row-major C = A B is the
 * column-major C^T = B^T A^T, so the operands swap. Tiny products stay in plain Java, where a
 * JNI call would cost more than the arithmetic.
 *
 * <p>netlib's JNI bridge dlopens {@code libblas.so.3} unless told otherwise, and on Debian that
 * is whichever BLAS the alternatives system points at (possibly the slow reference one). When
 * the system has OpenBLAS and no {@code dev.ludovic.netlib.blas.nativeLib(Path)} was given, it
 * is asked for by name. Its threads follow OPENBLAS_NUM_THREADS (default: one per core).
 */
public final class Blas {
    private static final String NATIVE_LIB = "dev.ludovic.netlib.blas.nativeLib";
    private static final String NATIVE_LIB_PATH = "dev.ludovic.netlib.blas.nativeLibPath";
    private static final List<String> LIB_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64", "/usr/lib", "/usr/local/lib");
    /** OpenBLAS's library, which holds LAPACK too (nn.spectra's SingularValues asks for it by this name). */
    public static final String OPENBLAS = "libopenblas.so.0";
    private static final BLAS BLAS_INSTANCE = instance();
    private static final long SMALL = 16 * 16 * 16;

    private Blas() {
    }

    private static BLAS instance() {
        if (System.getProperty(NATIVE_LIB) == null && System.getProperty(NATIVE_LIB_PATH) == null && openBlasInstalled()) {
            System.setProperty(NATIVE_LIB, OPENBLAS);
        }
        return BLAS.getInstance();
    }

    /** Whether the system has OpenBLAS ({@code libopenblas.so.0}) in one of the usual library folders. */
    public static boolean openBlasInstalled() {
        return LIB_DIRS.stream().anyMatch(dir -> Files.exists(Path.of(dir, OPENBLAS)));
    }

    /** Which netlib implementation was chosen: JNIBLAS (native OpenBLAS), or Java: VectorBLAS, Java11BLAS or Java8BLAS. */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /** One line for the start-up log: the implementation, the native library and its thread setting. */
    public static String describe() {
        String impl = implementation();
        if (!impl.equals("JNIBLAS")) {
            return impl + " (Java; no native BLAS could be loaded)";
        }
        String lib = System.getProperty(NATIVE_LIB_PATH, System.getProperty(NATIVE_LIB, "libblas.so.3"));
        String threads = System.getenv("OPENBLAS_NUM_THREADS");
        return impl + " (native " + lib + ", OPENBLAS_NUM_THREADS=" + (threads == null ? "unset: one thread per core" : threads) + ")";
    }

    /**
     * Row-major {@code C[m x n] = op(A)[m x k] op(B)[k x n] + beta C}; A is stored [m x k]
     * ([k x m] when transposed), B [k x n] ([n x k] when transposed).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c, float beta) {
        sgemm(transA, transB, m, n, k, a, 0, b, 0, c, 0, beta);
    }

    /** As {@link #sgemm(boolean, boolean, int, int, int, float[], float[], float[], float)}, on matrices starting at the given offsets (one of a batch). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOffset, float[] b, int bOffset,
                             float[] c, int cOffset, float beta) {
        sgemm(transA, transB, m, n, k, 1f, a, aOffset, transA ? m : k, b, bOffset, transB ? k : n, c, cOffset, n, beta);
    }

    /**
     * Row-major {@code C = alpha op(A) op(B) + beta C} on matrices inside larger ones: row i of A starts at
     * {@code aOffset + i lda} (of op(A)'s storage), and so on; attention reads one head's columns of a
     * packed projection this way instead of copying them out.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                             float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc, float beta) {
        if (m == 0 || n == 0) {
            return;
        }
        if ((long) m * n * k <= SMALL) {
            javaGemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, beta);
            return;
        }
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, bOffset, Math.max(1, ldb), a, aOffset, Math.max(1, lda), beta, c, cOffset, Math.max(1, ldc));
    }

    /** The small products in plain Java: with alpha 1, C scaled by beta, then the products added to it one k at a time. */
    private static void javaGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int ao, int lda,
                                 float[] b, int bo, int ldb, float[] c, int co, int ldc, float beta) {
        float[] sum = alpha == 1f ? null : new float[n];
        for (int i = 0; i < m; i++) {
            int ci = co + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
            float[] row = sum == null ? c : sum;
            int r = sum == null ? ci : 0;
            if (sum != null) java.util.Arrays.fill(sum, 0f);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                if (transB) {
                    for (int j = 0; j < n; j++) row[r + j] += av * b[bo + j * ldb + p];
                } else {
                    int brow = bo + p * ldb;
                    for (int j = 0; j < n; j++) row[r + j] += av * b[brow + j];
                }
            }
            if (sum != null) {
                for (int j = 0; j < n; j++) c[ci + j] += alpha * sum[j];
            }
        }
    }
}
