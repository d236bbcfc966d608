package io.paramlab.nn;

import java.util.Arrays;

/**
 * Diagnostic statistics of one tensor, as API.md's "Statistics" defines them: counts of NaN and
 * infinite elements, the fraction of zeros among all elements, and over the finite elements their
 * mean, unbiased std, min, max, L2 norm and a histogram. With no finite element those are NaN and
 * the histogram is null.
 *
 * <p>Computed in two passes over the live array, never copied (a 25M-parameter model is 100 MB).
 * Sums run in double; mean, std and l2 norm are then rounded to float32, the dtype PyTorch returns
 * them in (so an l2 norm past float32's range is Infinity there as here). int64 buffers are read
 * as float32 values, as {@code t.to(torch.float32)} reads them.
 */
public record TensorStats(long nanCount, long infCount, double zeroFraction, double mean, double std,
                          double min, double max, double l2Norm, Histogram histogram) {
    public static final int MIN_BINS = 1;
    public static final int MAX_BINS = 1000;

    /** {@code bins + 1} edges as float64 {@code linspace(min, max, bins + 1)} and {@code bins} counts. */
    public record Histogram(double[] edges, long[] counts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && Arrays.equals(edges, h.edges) && Arrays.equals(counts, h.counts);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(edges) + Arrays.hashCode(counts);
        }

        @Override
        public String toString() {
            return "Histogram[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts) + "]";
        }
    }

    /** Throws with a message for the client unless {@code bins} is in 1..1000. */
    public static int checkBins(int bins) {
        if (bins < MIN_BINS || bins > MAX_BINS) {
            throw new IllegalArgumentException("bins must be from " + MIN_BINS + " to " + MAX_BINS + ", got " + bins);
        }
        return bins;
    }

    /**
     * The histogram of finite float64 values as the Statistics section bins them (the spectra's
     * esd uses it for log10 λ): {@code bins} equal widths over [min, max], or [min − 1, max + 1]
     * when they are equal; null when there is no value.
     */
    public static Histogram histogram(double[] values, int bins) {
        checkBins(bins);
        if (values.length == 0) {
            return null;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : values) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        if (lo == hi) {
            lo -= 1;
            hi += 1;
        }
        long[] counts = new long[bins];
        for (double x : values) {
            counts[bin(x, lo, hi - lo, bins)]++;
        }
        return new Histogram(linspace(lo, hi, bins + 1), counts);
    }

    /** API.md's bin of a finite x, in this order of operations; the clamp keeps the maximum in the last bin. */
    private static int bin(double x, double lo, double range, int bins) {
        int bin = (int) Math.floor((x - lo) * bins / range);
        return Math.max(0, Math.min(bin, bins - 1));
    }

    public static TensorStats of(float[] values, int bins) {
        return compute(new FloatValues(values), checkBins(bins));
    }

    public static TensorStats of(long[] values, int bins) {
        return compute(new LongValues(values), checkBins(bins));
    }

    public static TensorStats of(TensorData data, int bins) {
        if (data.isBool()) {   // a mask: its values as 0 and 1, as torch's stats of mask.long() would be
            long[] values = new long[data.numel()];
            for (int i = 0; i < values.length; i++) values[i] = data.bools()[i] ? 1 : 0;
            return of(values, bins);
        }
        return data.isFloat() ? of(data.floats(), bins) : of(data.longs(), bins);
    }

    /**
     * ‖after − before‖₂ / ‖before‖₂, the difference rounded to float32 element by element as
     * PyTorch's {@code after - before} is. A zero {@code before} gives what PyTorch's division
     * gives: Infinity when something moved, NaN (0/0) when nothing did.
     */
    public static double updateRatio(float[] before, float[] after) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("before has " + before.length + " elements, after " + after.length);
        }
        double change = 0;
        double base = 0;
        for (int i = 0; i < before.length; i++) {
            float d = after[i] - before[i];
            change += (double) d * d;
            base += (double) before[i] * before[i];
        }
        return (float) Math.sqrt(change) / (float) Math.sqrt(base);
    }

    /** Read access to a float32 or an int64 buffer, so one pair of loops serves both without a copy. */
    private interface Values {
        int length();

        float get(int i);
    }

    private record FloatValues(float[] a) implements Values {
        public int length() {
            return a.length;
        }

        public float get(int i) {
            return a[i];
        }
    }

    private record LongValues(long[] a) implements Values {
        public int length() {
            return a.length;
        }

        public float get(int i) {
            return a[i];
        }
    }

    private static TensorStats compute(Values values, int bins) {
        int n = values.length();
        long nan = 0;
        long inf = 0;
        long zeros = 0;
        double sum = 0;
        double squares = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = values.get(i);
            if (x != x) {
                nan++;
            } else if (x == Float.POSITIVE_INFINITY || x == Float.NEGATIVE_INFINITY) {
                inf++;
            } else {
                if (x == 0) {
                    zeros++;
                }
                sum += x;
                squares += (double) x * x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        double zeroFraction = n == 0 ? Double.NaN : (double) zeros / n;
        long finite = n - nan - inf;
        if (finite == 0) {
            return new TensorStats(nan, inf, zeroFraction, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, null);
        }
        double mean = sum / finite;
        // the second pass: deviations from the mean (not sum-of-squares minus square-of-sum, which cancels) and bins
        double lo = min;
        double hi = max;
        if (lo == hi) {
            lo -= 1;   // histc's range for a constant tensor
            hi += 1;
        }
        double range = hi - lo;
        long[] counts = new long[bins];
        double deviations = 0;
        for (int i = 0; i < n; i++) {
            float x = values.get(i);
            if (x - x == 0) {   // finite: NaN - NaN and inf - inf are NaN
                double d = x - mean;
                deviations += d * d;
                counts[bin(x, lo, range, bins)]++;
            }
        }
        double std = finite > 1 ? (float) Math.sqrt(deviations / (finite - 1)) : Double.NaN;
        return new TensorStats(nan, inf, zeroFraction, (float) mean, std, min, max, (float) Math.sqrt(squares),
                new Histogram(linspace(lo, hi, bins + 1), counts));
    }

    /**
     * The same statistics in float64 over values that are read twice rather than held (a stored
     * tensor streamed from its chunks, in any dtype): feed every value to {@link #first}, then
     * every value again to {@link #second}, then take {@link #result}. Nothing is rounded to float32.
     */
    public static final class InFloat64 {
        private final int bins;
        private long n;
        private long nan;
        private long inf;
        private long zeros;
        private double sum;
        private double squares;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private double mean;
        private double lo;
        private double hi;
        private double range;
        private long[] counts;
        private double deviations;

        public InFloat64(int bins) {
            this.bins = checkBins(bins);
        }

        public void first(double x) {
            n++;
            if (x != x) {
                nan++;
            } else if (Double.isInfinite(x)) {
                inf++;
            } else {
                if (x == 0) {
                    zeros++;
                }
                sum += x;
                squares += x * x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }

        /** Whether a second pass is needed (some element is finite). */
        public boolean needsSecondPass() {
            return n - nan - inf > 0;
        }

        public void second(double x) {
            if (counts == null) {
                mean = sum / (n - nan - inf);
                lo = min == max ? min - 1 : min;
                hi = min == max ? max + 1 : max;
                range = hi - lo;
                counts = new long[bins];
            }
            if (x - x == 0) {
                double d = x - mean;
                deviations += d * d;
                int bin = (int) Math.floor((x - lo) * bins / range);
                counts[Math.max(0, Math.min(bin, bins - 1))]++;
            }
        }

        public TensorStats result() {
            double zeroFraction = n == 0 ? Double.NaN : (double) zeros / n;
            long finite = n - nan - inf;
            if (finite == 0) {
                return new TensorStats(nan, inf, zeroFraction, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
            }
            if (counts == null) {
                throw new IllegalStateException("the second pass has not run");
            }
            double std = finite > 1 ? Math.sqrt(deviations / (finite - 1)) : Double.NaN;
            return new TensorStats(nan, inf, zeroFraction, mean, std, min, max, Math.sqrt(squares),
                    new Histogram(linspace(lo, hi, bins + 1), counts));
        }
    }

    /** torch.linspace in float64: from the start for the first half, from the end for the second. */
    static double[] linspace(double start, double end, int steps) {
        double[] out = new double[steps];
        double step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }
}
