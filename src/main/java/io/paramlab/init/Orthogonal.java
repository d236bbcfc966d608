package io.paramlab.init;

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
        double[][] a = new double[m][n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (transpose) a[j][i] = drawn[i * cols + j];
                else a[i][j] = drawn[i * cols + j];
            }
        }
        double[][] q = householderQ(a, m, n);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[i * cols + j] = (float) (gain * (transpose ? q[j][i] : q[i][j]));
            }
        }
    }

    /** The reduced Q (m x n) of a = QR with R's diagonal made non-negative (q *= sign(diag(r))). */
    private static double[][] householderQ(double[][] a, int m, int n) {
        double[][] r = new double[m][];
        for (int i = 0; i < m; i++) r[i] = a[i].clone();
        double[][] vs = new double[n][];
        double[] diagSign = new double[n];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i][k] * r[i][k];
            norm = Math.sqrt(norm);
            double alpha = r[k][k] > 0 ? -norm : norm;
            double[] v = new double[m];
            for (int i = k; i < m; i++) v[i] = r[i][k];
            v[k] -= alpha;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            if (vnorm > 0) {
                for (int j = k; j < n; j++) {
                    double dot = 0;
                    for (int i = k; i < m; i++) dot += v[i] * r[i][j];
                    double f = 2 * dot / vnorm;
                    for (int i = k; i < m; i++) r[i][j] -= f * v[i];
                }
            }
            vs[k] = vnorm > 0 ? v : null;
            diagSign[k] = Math.signum(r[k][k]);
        }
        double[][] q = new double[m][n];
        for (int j = 0; j < n; j++) q[j][j] = 1;
        for (int k = n - 1; k >= 0; k--) {
            double[] v = vs[k];
            if (v == null) continue;
            double vnorm = 0;
            for (int i = k; i < m; i++) vnorm += v[i] * v[i];
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i] * q[i][j];
                double f = 2 * dot / vnorm;
                for (int i = k; i < m; i++) q[i][j] -= f * v[i];
            }
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) q[i][j] *= diagSign[j];
        }
        return q;
    }
}
