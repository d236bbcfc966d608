package io.paramlab.tensor;

/**
 * Sums of contiguous float runs in float64, for the normalization layers' statistics, over four
 * independent chains: one chain waits on each addition's latency, four keep the adder busy. Any
 * order is as exact as any other to float64's precision for float inputs of these lengths.
 */
final class RunSums {
    private RunSums() {
    }

    /** The sum of {@code a[off, off + len)}. */
    static double sum(float[] a, int off, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = off;
        int end = off + len;
        for (; i + 3 < end; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < end; i++) s0 += a[i];
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of {@code (a[i] - mean)^2} over the run, in float64. */
    static double squaredDeviations(float[] a, int off, int len, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = off;
        int end = off + len;
        for (; i + 3 < end; i += 4) {
            double d0 = a[i] - mean;
            double d1 = a[i + 1] - mean;
            double d2 = a[i + 2] - mean;
            double d3 = a[i + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            double d = a[i] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of {@code (a[i] - mean) * g[i]} over the run, each product in float (as PyTorch's kernel), summed in float64. */
    static double deviationsDot(float[] a, float[] g, int off, int len, float mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = off;
        int end = off + len;
        for (; i + 3 < end; i += 4) {
            s0 += (a[i] - mean) * g[i];
            s1 += (a[i + 1] - mean) * g[i + 1];
            s2 += (a[i + 2] - mean) * g[i + 2];
            s3 += (a[i + 3] - mean) * g[i + 3];
        }
        for (; i < end; i++) s0 += (a[i] - mean) * g[i];
        return (s0 + s1) + (s2 + s3);
    }
}
