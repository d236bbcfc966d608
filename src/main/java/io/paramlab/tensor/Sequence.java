package io.paramlab.tensor;

/**
 * The ops the sequence layers need beyond linear algebra: {@code F.embedding}, a lookup whose
 * gradient is a scatter-add into the rows it read, and {@code select}, one index along a dim.
 */
public final class Sequence {
    private Sequence() {
    }

    /**
     * {@code F.embedding(indices, weight, padding_idx)}: rows of {@code weight} [num, dim] picked by
     * the int64 {@code indices} (any shape), giving [*indices.shape, dim]. The gradient adds into
     * each row read, except the {@code paddingIdx} row (null: none), as PyTorch's embedding_backward.
     */
    public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx) {
        if (indices.dtype() == Dtype.FLOAT32 || indices.dtype() == Dtype.BOOL) {
            throw new ShapeException("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
                    + "but got torch." + (indices.dtype() == Dtype.BOOL ? "Bool" : "Float") + "Tensor instead (while checking arguments for embedding)");
        }
        int[] ws = weight.shapeView();
        if (ws.length != 2) {
            throw new ShapeException("'weight' must be 2-D");
        }
        int num = ws[0];
        int dim = ws[1];
        long[] idx = indices.longs();
        for (long i : idx) {
            if (i < 0 || i >= num) {
                throw new ShapeException("index out of range in self");
            }
        }
        int[] is = indices.shapeView();
        int[] shape = java.util.Arrays.copyOf(is, is.length + 1);
        shape[is.length] = dim;
        float[] w = weight.data();
        float[] y = Allocation.floats((long) idx.length * dim);
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(w, (int) idx[r] * dim, y, r * dim, dim);
        }
        return Tensor.result(y, shape, g -> {
            float[] dw = weight.gradBuffer();
            for (int r = 0; r < idx.length; r++) {
                int row = (int) idx[r];
                if (paddingIdx != null && row == paddingIdx) {
                    continue;
                }
                int base = row * dim;
                for (int j = 0; j < dim; j++) dw[base + j] += g[r * dim + j];
            }
        }, weight);
    }

    /** {@code x.select(dim, index)} ({@code x[:, i]} for dim 1): the dim removed, a copy with its gradient. */
    public static Tensor select(Tensor x, int dim, int index) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        int[] shape = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) shape[j++] = s[i];
        return ShapeOps.reshape(ShapeOps.narrow(x, d, index, 1), shape);
    }

    /**
     * A whole LSTM layer in one direction as one op, from {@code projected} (L, N, 4H), every step's
     * {@code x W_ih^T + b_ih} computed by one gemm up front, and the start state {@code h0}, {@code c0}
     * (N, H). Each step is one gemm for the whole batch, {@code h W_hh^T + b_hh}, then the gates fused
     * in one pass with PyTorch's CPU cell's float operations in its order (gates = ih + hh; i, f, o
     * sigmoid, g tanh; c' = f c + i g; h' = o tanh(c')). Answers (L, 2, N, H): step t's h at [t, 0]
     * and c at [t, 1], so the layer's outputs and its last h and c are slices of one result whose
     * gradient runs the steps backwards: one gemm per step for dh, and after the loop one gemm for
     * dW_hh over all steps (b_hh's gradient the column sums; projected's the pre-activation gradients).
     */
    public static Tensor lstmLayer(Tensor projected, Tensor h0, Tensor c0, Tensor whh, Tensor bhh, boolean reverse) {
        int[] ps = projected.shapeView();
        int steps = ps[0];
        int batch = ps[1];
        int hidden = h0.shapeView()[1];
        int g4 = 4 * hidden;
        int nh = batch * hidden;
        if (ps[2] != g4 || whh.shapeView()[0] != g4 || whh.shapeView()[1] != hidden) {
            throw new ShapeException("lstm: projected " + Shapes.format(ps) + " and weight_hh " + Shapes.format(whh.shapeView())
                    + " do not fit hidden size " + hidden);
        }
        float[] p = projected.data();
        float[] w = whh.data();
        float[] b = bhh == null ? null : bhh.data();
        float[] act = Allocation.floats((long) steps * batch * g4);   // the activated gates i, f, g, o of every step
        float[] tanhC = Allocation.floats((long) steps * nh);
        float[] y = Allocation.floats((long) steps * 2 * nh);          // [t, 0] = h_t, [t, 1] = c_t
        float[] h0v = h0.data();
        float[] c0v = c0.data();
        double[] tmp = Gates.scratch();
        for (int i = 0; i < steps; i++) {
            Deadline.check();
            int t = reverse ? steps - 1 - i : i;
            int prev = reverse ? t + 1 : t - 1;
            float[] hp = i == 0 ? h0v : y;
            int hpo = i == 0 ? 0 : prev * 2 * nh;
            float[] cp = i == 0 ? c0v : y;
            int cpo = i == 0 ? 0 : prev * 2 * nh + nh;
            int go = t * batch * g4;
            if (b != null) {
                for (int n = 0; n < batch; n++) System.arraycopy(b, 0, act, go + n * g4, g4);
            }
            Blas.sgemm(false, true, batch, g4, hidden, hp, hpo, w, 0, act, go, b == null ? 0f : 1f);   // hh = h W_hh^T + b_hh
            int ho = t * 2 * nh;
            for (int k = go; k < go + batch * g4; k++) act[k] = p[k] + act[k];   // gates = ih + hh, in float
            for (int n = 0; n < batch; n++) {
                int row = go + n * g4;
                int e = n * hidden;
                Gates.sigmoid(act, row, act, row, 2 * hidden, tmp);                      // i, f
                Gates.tanh(act, row + 2 * hidden, act, row + 2 * hidden, hidden, tmp);   // g
                Gates.sigmoid(act, row + 3 * hidden, act, row + 3 * hidden, hidden, tmp); // o
                int co = ho + nh + e;
                int cpe = cpo + e;
                for (int j = 0; j < hidden; j++) {
                    y[co + j] = act[row + hidden + j] * cp[cpe + j] + act[row + j] * act[row + 2 * hidden + j];   // c' = f c + i g
                }
                Gates.tanh(y, co, tanhC, t * nh + e, hidden, tmp);
                int oo = row + 3 * hidden;
                int tco = t * nh + e;
                int hoe = ho + e;
                for (int j = 0; j < hidden; j++) y[hoe + j] = act[oo + j] * tanhC[tco + j];   // h' = o tanh(c')
            }
        }
        return Tensor.result(y, new int[] {steps, 2, batch, hidden}, g -> {
            float[] dGates = Allocation.floats((long) steps * batch * g4);
            float[] hPrev = Allocation.floats((long) steps * nh);   // the h each step started from, in step order
            float[] dh = new float[nh];
            float[] dc = new float[nh];
            for (int i = steps - 1; i >= 0; i--) {
                Deadline.check();
                int t = reverse ? steps - 1 - i : i;
                int prev = reverse ? t + 1 : t - 1;
                float[] cp = i == 0 ? c0v : y;
                int cpo = i == 0 ? 0 : prev * 2 * nh + nh;
                System.arraycopy(i == 0 ? h0v : y, i == 0 ? 0 : prev * 2 * nh, hPrev, t * nh, nh);
                int ho = t * 2 * nh;
                int go = t * batch * g4;
                for (int n = 0; n < batch; n++) {
                    int row = go + n * g4;
                    for (int j = 0; j < hidden; j++) {
                        int k = row + j;
                        int e = n * hidden + j;
                        float gi = act[k];
                        float gf = act[k + hidden];
                        float gg = act[k + 2 * hidden];
                        float go2 = act[k + 3 * hidden];
                        float tc = tanhC[t * nh + e];
                        float dhT = g[ho + e] + dh[e];
                        float dcT = g[ho + nh + e] + dc[e] + dhT * go2 * (1 - tc * tc);
                        dGates[k] = dcT * gg * gi * (1 - gi);
                        dGates[k + hidden] = dcT * cp[cpo + e] * gf * (1 - gf);
                        dGates[k + 2 * hidden] = dcT * gi * (1 - gg * gg);
                        dGates[k + 3 * hidden] = dhT * tc * go2 * (1 - go2);
                        dc[e] = dcT * gf;
                    }
                }
                Blas.sgemm(false, false, batch, hidden, g4, dGates, go, w, 0, dh, 0, 0f);   // dh_{t-1} = dgates W_hh
            }
            if (projected.requiresGrad()) {
                float[] dp = projected.gradBuffer();
                for (int i = 0; i < dGates.length; i++) dp[i] += dGates[i];
            }
            if (whh.requiresGrad()) {
                Blas.sgemm(true, false, g4, hidden, steps * batch, dGates, hPrev, whh.gradBuffer(), 1f);   // dW_hh += dgates^T h_prev
            }
            if (bhh != null && bhh.requiresGrad()) {
                float[] db = bhh.gradBuffer();
                for (int r = 0; r < steps * batch; r++) {
                    for (int j = 0; j < g4; j++) db[j] += dGates[r * g4 + j];
                }
            }
            if (h0.requiresGrad()) {
                float[] d = h0.gradBuffer();
                for (int e = 0; e < nh; e++) d[e] += dh[e];
            }
            if (c0.requiresGrad()) {
                float[] d = c0.gradBuffer();
                for (int e = 0; e < nh; e++) d[e] += dc[e];
            }
        }, projected, h0, c0, whh, bhh);
    }
}
