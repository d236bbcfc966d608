package io.paramlab.init;

import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.Generator;

/**
 * PyTorch 1.13's orthogonal_: normal draws on a rows x cols matrix (transposed when wider than
 * tall), Householder QR, q times the signs of r's diagonal, transposed back, times gain.
 */
final class Orthogonal {
    private Orthogonal() {
    }

    static void fill(float[] data, int[] shape, double gain, Generator generator) {
        if (shape.length < 2) {
            throw new InitException("Only tensors with 2 or more dimensions are supported");
        }
        if (data.length == 0) {
            return;
        }
        int rows = shape[0];
        int cols = data.length / rows;
        float[] drawn = new float[rows * cols];
        generator.normal(drawn, 0, 1);
        boolean transpose = rows < cols;
        int m = transpose ? cols : rows;   // the tall matrix factored: m x n, m >= n
        int n = transpose ? rows : cols;
        double[][] columns = new double[n][m];   // column j of the tall matrix
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (transpose) columns[i][j] = drawn[i * cols + j];
                else columns[j][i] = drawn[i * cols + j];
            }
        }
        double[][] q = householderQ(columns, m, n);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[i * cols + j] = (float) (gain * (transpose ? q[i][j] : q[j][i]));
            }
        }
    }

    /**
     * The reduced Q (m x n, as n columns) of a = QR with R's diagonal made non-negative
     * (q *= sign(diag(r))). Matrices are held by columns so that every inner loop runs along one
     * array: the same sums in the same order as row storage, several times faster.
     */
    private static double[][] householderQ(double[][] a, int m, int n) {
        double[][] r = new double[n][];
        for (int j = 0; j < n; j++) r[j] = a[j].clone();
        double[][] vs = new double[n][];
        double[] diagSign = new double[n];
        for (int k = 0; k < n; k++) {
            Deadline.check();   // O(m n^2) in all: the one long loop of an init
            double[] column = r[k];
            double norm = 0;
            for (int i = k; i < m; i++) norm += column[i] * column[i];
            norm = Math.sqrt(norm);
            double alpha = column[k] > 0 ? -norm : norm;
            double[] v = new double[m];
            System.arraycopy(column, k, v, k, m - k);
            v[k] -= alpha;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            if (vnorm > 0) {
                for (int j = k; j < n; j++) reflect(v, vnorm, r[j], k, m);
            }
            vs[k] = vnorm > 0 ? v : null;
            diagSign[k] = Math.signum(r[k][k]);
        }
        double[][] q = new double[n][m];
        for (int j = 0; j < n; j++) q[j][j] = 1;
        for (int k = n - 1; k >= 0; k--) {
            Deadline.check();
            double[] v = vs[k];
            if (v == null) continue;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            for (int j = 0; j < n; j++) reflect(v, vnorm, q[j], k, m);
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) q[j][i] *= diagSign[j];
        }
        return q;
    }

    /** column -= (2 v.column / v.v) v, over rows k..m-1: one Householder reflection. */
    private static void reflect(double[] v, double vnorm, double[] column, int k, int m) {
        double dot = 0;
        for (int i = k; i < m; i++) dot += v[i] * column[i];
        double f = 2 * dot / vnorm;
        for (int i = k; i < m; i++) column[i] -= f * v[i];
    }
}
