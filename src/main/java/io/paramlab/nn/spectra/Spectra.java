package io.paramlab.nn.spectra;

import io.paramlab.nn.TensorStats;
import io.paramlab.tensor.Deadline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * API.md's "Spectra", from candidates in network order to the answer: each candidate is skipped
 * (tied, an int or bool dtype, rank &lt; 2, m &lt; min_evals, a NaN or an infinity, no eigenvalue
 * above 1e-5, checked in this order) or analysed: λ = σ² of the matrix (of every kernel position's
 * {@code W[:, :, pos]} for rank ≥ 3, pooled, unscaled), the kept λ &gt; 1e-5, the norms, the entropy,
 * the {@link PowerLawFit}, the quality and the esd, a histogram of log10 λ. The summary averages
 * each number over the layers where it is not null.
 */
public final class Spectra {
    /** WeightWatcher's {@code EVALS_THRESH}: only eigenvalues above it count, in every number. */
    public static final double EVALS_THRESH = 1e-5;
    /** A spectrum with λmax ≤ λmin · (1 + 1e-3) is flat (an orthogonal or identity matrix): no tail to fit. */
    public static final double FLAT = 1e-3;
    public static final Set<String> FLOAT_DTYPES = Set.of("float16", "bfloat16", "float32", "float64");
    public static final List<String> QUALITIES = List.of("over-trained", "ok", "under-trained");

    private Spectra() {
    }

    /** Reads a tensor's values as row-major float64, a fresh array the computation may overwrite. */
    @FunctionalInterface
    public interface Values {
        double[] read();
    }

    /**
     * One tensor that may be analysed: its name in the answer, shape, dtype name (API.md's: float32,
     * bfloat16, int64, bool, ...), whether it is tied to an earlier one, and its values, read only
     * when it is analysed.
     */
    public record Candidate(String name, int[] shape, String dtype, boolean tied, Values values) {
        public Candidate {
            shape = shape.clone();
        }

        /** A float32 tensor (a model's parameter): its array is widened when read, not before. */
        public static Candidate ofFloats(String name, int[] shape, float[] data) {
            return new Candidate(name, shape, "float32", false, () -> {
                double[] out = new double[data.length];
                for (int i = 0; i < data.length; i++) {
                    out[i] = data[i];
                }
                return out;
            });
        }
    }

    /** A candidate not analysed, and why: tied, dtype, rank, min_evals, non_finite or no_evals. */
    public record Skipped(String name, int[] shape, String reason) {
    }

    /** One analysed layer; the fit's fields, alphaWeighted, logAlphaNorm and quality are null with one eigenvalue or a flat spectrum. */
    public record Layer(String name, int[] shape, int n, int m, int numEvals, double lambdaMax, double norm, double logNorm,
                        double logSpectralNorm, double stableRank, double entropy, Double alpha, Double xmin, Double ksDistance,
                        Double sigma, Double alphaWeighted, Double logAlphaNorm, String quality, TensorStats.Histogram esd) {
    }

    /** Means over the layers where each is not null (null when none), and the layers per quality. */
    public record Summary(Double alpha, Double alphaWeighted, Double logNorm, Double logSpectralNorm, Double logAlphaNorm,
                          Double stableRank, Map<String, Integer> quality) {
    }

    public record Result(List<Layer> layers, List<Skipped> skipped, Summary summary) {
    }

    /** Throws with a message for the client unless {@code minEvals} is at least 1. */
    public static int checkMinEvals(int minEvals) {
        if (minEvals < 1) {
            throw new IllegalArgumentException("min_evals must be at least 1, got " + minEvals);
        }
        return minEvals;
    }

    /**
     * Σ n·m² over the matrices of every candidate that passes the shape rules, from the shapes
     * alone; past {@code maxWork} a {@link SpectraWorkException} naming the candidate that crossed it.
     */
    public static long work(List<Candidate> candidates, int minEvals, long maxWork) {
        long total = 0;
        for (Candidate c : candidates) {
            if (shapeReason(c, minEvals) == null) {
                total = saturatedAdd(total, work(c.shape()));
                if (total > maxWork) {
                    throw new SpectraWorkException(c.name(), total, maxWork);
                }
            }
        }
        return total;
    }

    /** One tensor's work: K·n·m² for K matrices of n x m (n ≥ m), saturating at Long.MAX_VALUE. */
    static long work(int[] shape) {
        long n = Math.max(shape[0], shape[1]);
        long m = Math.min(shape[0], shape[1]);
        long product = 1;
        for (long f : new long[] {n, m, m}) {
            product = saturatedMultiply(product, f);
        }
        for (int d = 2; d < shape.length; d++) {
            product = saturatedMultiply(product, shape[d]);
        }
        return product;
    }

    /**
     * The answer: the work is checked against {@code maxWork} first (nothing read before), then
     * each candidate is read and analysed in turn, the request's deadline checked between matrices.
     */
    public static Result compute(List<Candidate> candidates, int bins, int minEvals, long maxWork) {
        TensorStats.checkBins(bins);
        checkMinEvals(minEvals);
        work(candidates, minEvals, maxWork);
        List<Layer> layers = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Candidate c : candidates) {
            Deadline.check();
            String reason = shapeReason(c, minEvals);
            if (reason == null) {
                double[] values = c.values().read();
                double[] lambdas = allFinite(values) ? keptEigenvalues(values, c.shape()) : null;
                if (lambdas == null) {
                    reason = "non_finite";
                } else if (lambdas.length == 0) {
                    reason = "no_evals";
                } else {
                    layers.add(layer(c.name(), c.shape(), lambdas, bins));
                }
            }
            if (reason != null) {
                skipped.add(new Skipped(c.name(), c.shape(), reason));
            }
        }
        return new Result(List.copyOf(layers), List.copyOf(skipped), summary(layers));
    }

    /** The reasons a candidate's shape and dtype alone give, in API.md's order, or null. */
    private static String shapeReason(Candidate c, int minEvals) {
        if (c.tied()) {
            return "tied";
        }
        if (!FLOAT_DTYPES.contains(c.dtype())) {
            return "dtype";
        }
        if (c.shape().length < 2) {
            return "rank";
        }
        if (Math.min(c.shape()[0], c.shape()[1]) < minEvals) {
            return "min_evals";
        }
        return null;
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * λ = σ² above {@link #EVALS_THRESH} of every matrix of a row-major tensor [rows, cols, *k], pooled,
     * ascending. A row-major rows x cols matrix is the column-major cols x rows one, its transpose,
     * with the same singular values, so rank 2 goes to LAPACK as it is.
     */
    static double[] keptEigenvalues(double[] values, int[] shape) {
        int rows = shape[0];
        int cols = shape[1];
        int positions = 1;
        for (int d = 2; d < shape.length; d++) {
            positions *= shape[d];
        }
        int k = Math.min(rows, cols);
        double[] lambdas = new double[k * positions];
        int kept = 0;
        for (int pos = 0; pos < positions; pos++) {
            Deadline.check();
            double[] matrix;
            if (positions == 1) {
                matrix = values;
            } else {
                matrix = new double[rows * cols];
                for (int e = 0; e < matrix.length; e++) {
                    matrix[e] = values[e * positions + pos];
                }
            }
            for (double sigma : SingularValues.of(matrix, cols, rows)) {
                double lambda = sigma * sigma;
                if (lambda > EVALS_THRESH) {
                    lambdas[kept++] = lambda;
                }
            }
        }
        double[] out = Arrays.copyOf(lambdas, kept);
        Arrays.sort(out);
        return out;
    }

    /** Every number of one layer from its kept eigenvalues (ascending, at least one). */
    static Layer layer(String name, int[] shape, double[] lambdas, int bins) {
        int count = lambdas.length;
        double total = 0;
        for (double l : lambdas) {
            total += l;
        }
        double max = lambdas[count - 1];
        double entropy = 0;
        if (count > 1) {
            double sum = 0;
            for (double l : lambdas) {
                double p = l / total;
                sum += p * Math.log(p);
            }
            entropy = -sum / Math.log(count);
        }
        Double alpha = null;
        Double xmin = null;
        Double ks = null;
        Double sigma = null;
        Double weighted = null;
        Double alphaNorm = null;
        boolean flat = max <= lambdas[0] * (1 + FLAT);
        if (count >= 2 && !flat) {
            PowerLawFit fit = PowerLawFit.of(lambdas);
            alpha = fit.alpha();
            xmin = fit.xmin();
            ks = fit.ksDistance();
            sigma = fit.sigma();
            weighted = fit.alpha() * Math.log10(max);
            double powered = 0;
            for (double l : lambdas) {
                powered += Math.pow(l, fit.alpha());
            }
            alphaNorm = Math.log10(powered);
        }
        double[] logs = new double[count];
        for (int i = 0; i < count; i++) {
            logs[i] = Math.log10(lambdas[i]);
        }
        return new Layer(name, shape, Math.max(shape[0], shape[1]), Math.min(shape[0], shape[1]), count, max, total,
                Math.log10(total), Math.log10(max), total / max, entropy, alpha, xmin, ks, sigma, weighted, alphaNorm,
                quality(alpha), TensorStats.histogram(logs, bins));
    }

    /** over-trained below 2, under-trained above 6, else ok; null without a fit. */
    static String quality(Double alpha) {
        if (alpha == null) {
            return null;
        }
        return alpha < 2 ? "over-trained" : alpha > 6 ? "under-trained" : "ok";
    }

    static Summary summary(List<Layer> layers) {
        Map<String, Integer> quality = new LinkedHashMap<>();
        QUALITIES.forEach(q -> quality.put(q, 0));
        layers.stream().filter(l -> l.quality() != null).forEach(l -> quality.merge(l.quality(), 1, Integer::sum));
        return new Summary(mean(layers, Layer::alpha), mean(layers, Layer::alphaWeighted), mean(layers, Layer::logNorm),
                mean(layers, Layer::logSpectralNorm), mean(layers, Layer::logAlphaNorm), mean(layers, Layer::stableRank),
                quality);
    }

    private static Double mean(List<Layer> layers, Function<Layer, Double> value) {
        double sum = 0;
        int count = 0;
        for (Layer l : layers) {
            Double v = value.apply(l);
            if (v != null) {
                sum += v;
                count++;
            }
        }
        return count == 0 ? null : sum / count;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMultiply(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
