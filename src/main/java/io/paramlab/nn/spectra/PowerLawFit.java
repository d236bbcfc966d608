package io.paramlab.nn.spectra;

import io.paramlab.tensor.Deadline;

/**
 * WeightWatcher's default power-law fit ({@code WWFit}) of an ascending spectrum x₀ ≤ … ≤ x_{N−1},
 * as API.md writes it: for each candidate xmin = xᵢ (i from 0 to N − 2) with n = N − i tail values,
 * the maximum-likelihood αᵢ = 1 + n / (Σ_{j≥i} ln xⱼ − n ln xmin) and, where αᵢ > 1, the
 * Kolmogorov-Smirnov distance Dᵢ = max_k |1 − (x_{i+k}/xmin)^(1−αᵢ) − k/n| between the tail and the
 * fitted law (else Dᵢ = 1); the fit is the first i with the smallest Dᵢ.
 *
 * @param alpha      the fitted exponent αᵢ
 * @param xmin       where the tail starts, xᵢ
 * @param ksDistance Dᵢ
 * @param sigma      the exponent's standard error (αᵢ − 1) / √n
 * @param tail       n, the eigenvalues from xmin on
 */
public record PowerLawFit(double alpha, double xmin, double ksDistance, double sigma, int tail) {

    /** The fit of {@code x} (ascending, positive, at least two values). O(N²): each candidate's D reads its tail. */
    public static PowerLawFit of(double[] x) {
        int total = x.length;
        if (total < 2) {
            throw new IllegalArgumentException("a fit needs at least 2 values, got " + total);
        }
        double[] logs = new double[total];
        for (int j = 0; j < total; j++) {
            logs[j] = Math.log(x[j]);
        }
        // Σ_{j≥i} ln xⱼ for every i, from the end with Neumaier's compensation
        double[] suffix = new double[total];
        double sum = 0;
        double carry = 0;
        for (int j = total - 1; j >= 0; j--) {
            double t = sum + logs[j];
            carry += Math.abs(sum) >= Math.abs(logs[j]) ? (sum - t) + logs[j] : (logs[j] - t) + sum;
            sum = t;
            suffix[j] = sum + carry;
        }
        int best = -1;
        double bestD = Double.POSITIVE_INFINITY;
        double bestAlpha = Double.NaN;
        for (int i = 0; i < total - 1; i++) {
            if ((i & 63) == 0) {
                Deadline.check();
            }
            int n = total - i;
            double alpha = 1 + n / (suffix[i] - n * logs[i]);
            double d = alpha > 1 ? ksDistance(x, i, alpha) : 1.0;
            if (d < bestD) {
                bestD = d;
                best = i;
                bestAlpha = alpha;
            }
        }
        int n = total - best;
        return new PowerLawFit(bestAlpha, x[best], bestD, (bestAlpha - 1) / Math.sqrt(n), n);
    }

    /** max_k |1 − (x_{i+k}/xmin)^(1−α) − k/n| over the tail from i. */
    private static double ksDistance(double[] x, int i, double alpha) {
        int n = x.length - i;
        double xmin = x[i];
        double d = 0;
        for (int k = 0; k < n; k++) {
            double ratio = x[i + k] / xmin;
            double cdf = 1 - (ratio == 1 ? 1 : Math.pow(ratio, 1 - alpha));   // 1^(−∞) is 1, as C's pow has it
            d = Math.max(d, Math.abs(cdf - (double) k / n));
        }
        return d;
    }
}
