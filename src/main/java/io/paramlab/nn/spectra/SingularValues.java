package io.paramlab.nn.spectra;

import dev.ludovic.netlib.lapack.LAPACK;
import io.paramlab.tensor.Blas;
import org.netlib.util.intW;

import java.util.concurrent.atomic.LongAdder;

/**
 * Singular values of a float64 matrix by LAPACK's {@code dgesdd} with {@code jobz='N'} (values only,
 * no vectors: the divide-and-conquer driver numpy's {@code svd(compute_uv=False)} calls too), through
 * dev.ludovic.netlib's LAPACK: the system's OpenBLAS by JNI when present, its Java fallback (F2J's
 * translation of the reference LAPACK) otherwise. As {@link io.paramlab.tensor.Blas} does for BLAS,
 * OpenBLAS is asked for by name when it is installed and no {@code dev.ludovic.netlib.lapack.nativeLib(Path)}
 * was given, since {@code liblapack.so.3} may be the slow reference build.
 */
public final class SingularValues {
    private static final String NATIVE_LIB = "dev.ludovic.netlib.lapack.nativeLib";
    private static final String NATIVE_LIB_PATH = "dev.ludovic.netlib.lapack.nativeLibPath";
    private static final LAPACK LAPACK_INSTANCE = instance();
    private static final LongAdder CALLS = new LongAdder();

    private SingularValues() {
    }

    private static LAPACK instance() {
        if (System.getProperty(NATIVE_LIB) == null && System.getProperty(NATIVE_LIB_PATH) == null && Blas.openBlasInstalled()) {
            System.setProperty(NATIVE_LIB, Blas.OPENBLAS);
        }
        return LAPACK.getInstance();
    }

    /** Which netlib implementation was chosen: JNILAPACK (native), or a Java one (F2jLAPACK). */
    public static String implementation() {
        return LAPACK_INSTANCE.getClass().getSimpleName();
    }

    /** How many matrices this process has decomposed (for tests and metrics: a cached answer adds none). */
    public static long calls() {
        return CALLS.sum();
    }

    /**
     * The singular values of the column-major {@code rows x cols} matrix {@code a} (a row-major
     * {@code cols x rows} one is its transpose, with the same values), in descending order;
     * {@code a} is overwritten.
     */
    public static double[] of(double[] a, int rows, int cols) {
        if ((long) rows * cols != a.length) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " values, got " + a.length);
        }
        int k = Math.min(rows, cols);
        double[] s = new double[k];
        if (k == 0) {
            return s;
        }
        CALLS.increment();
        double[] unused = new double[1];
        int[] iwork = new int[8 * k];
        intW info = new intW(0);
        double[] query = new double[1];
        int lda = Math.max(1, rows);
        LAPACK_INSTANCE.dgesdd("N", rows, cols, a, lda, s, unused, 1, unused, 1, query, -1, iwork, info);
        check(info);
        double[] work = new double[Math.max(1, (int) query[0])];
        LAPACK_INSTANCE.dgesdd("N", rows, cols, a, lda, s, unused, 1, unused, 1, work, work.length, iwork, info);
        check(info);
        return s;
    }

    private static void check(intW info) {
        if (info.val < 0) {
            throw new IllegalArgumentException("dgesdd: argument " + -info.val + " is invalid");
        }
        if (info.val > 0) {
            throw new ArithmeticException("dgesdd did not converge (info " + info.val + ")");
        }
    }
}
