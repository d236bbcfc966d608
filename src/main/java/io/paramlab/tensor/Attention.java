package io.paramlab.tensor;

/**
 * Multi-head scaled dot-product attention as one op, with its gradient beside it: the float operations
 * of {@code F.multi_head_attention_forward}'s reference path ({@code q / sqrt(head_dim)}, {@code bmm} with
 * {@code k}'s transpose, the float mask added, softmax, dropout, {@code bmm} with {@code v}) without its
 * transposes and head-major copies. The heads are read where the projections wrote them: q, k and v are
 * contiguous {@code (N, L, C)} (batch first) or {@code (L, N, C)} tensors whose columns
 * {@code [column, column + heads headDim)} hold the heads (one packed in_proj output can be all three),
 * and every (batch, head) product is one sgemm on strided rows. Per (batch, head), the scores, mask,
 * softmax and dropout run over one block that stays in cache, and the second product is written straight
 * into the output's {@code (N, L, E)} or {@code (L, N, E)} rows, the layout out_proj reads.
 *
 * <p>Dropout draws over the weights in their {@code (N heads, L, S)} memory order, as PyTorch's
 * {@code bernoulli_} does over the whole tensor, so the masks are the ones the composed ops drew.
 */
public final class Attention {
    private Attention() {
    }

    /** Where one operand's rows are: the array, its columns' start, and the distance between rows of one sequence. */
    private record Operand(float[] data, int rowStride, int batchStride, int column) {
        static Operand of(Tensor t, int column, boolean batchFirst) {
            int[] s = t.shapeView();
            int width = s[2];
            return batchFirst ? new Operand(t.data(), width, s[1] * width, column) : new Operand(t.data(), s[1] * width, width, column);
        }

        int base(int n, int h, int headDim) {
            return n * batchStride + column + h * headDim;
        }
    }

    /**
     * The attention output {@code (N, L, heads headDim)} (batch first) or {@code (L, N, heads headDim)}.
     * {@code mask}: null, or a float mask {@code (1 or N heads, L, S)} added to the scores (it gets no gradient).
     * {@code dropout} is applied to the weights with draws from {@code generator} when above 0.
     */
    public static Tensor multiHead(Tensor q, int qColumn, Tensor k, int kColumn, Tensor v, int vColumn, int heads, int headDim,
                                   boolean batchFirst, Tensor mask, double dropout, Generator generator) {
        int[] qs = q.shapeView();
        int[] ks = k.shapeView();
        int n = batchFirst ? qs[0] : qs[1];
        int len = batchFirst ? qs[1] : qs[0];
        int src = batchFirst ? ks[1] : ks[0];
        int e = heads * headDim;
        int bh = n * heads;
        long cells = (long) len * src;
        if (cells > Integer.MAX_VALUE - 8) {
            Allocation.floats(cells);   // refused: one (L, S) block is over what an array holds, and the limit says so
        }
        int block = (int) cells;
        Operand qo = Operand.of(q, qColumn, batchFirst);
        Operand ko = Operand.of(k, kColumn, batchFirst);
        Operand vo = Operand.of(v, vColumn, batchFirst);
        int outRow = batchFirst ? e : n * e;
        int outBatch = batchFirst ? len * e : e;
        float[] m = mask == null ? null : mask.data();
        boolean perHeadMask = mask != null && mask.shapeView()[0] != 1;
        boolean drop = dropout > 0;
        double keep = 1 - dropout;
        float dropScale = 1f / (float) keep;
        boolean record = GradMode.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());

        float[] out = Allocation.floats((long) len * n * e);
        float[] probs = Allocation.floats(record ? (long) bh * block : block);       // softmax, before dropout
        float[] keepMask = drop ? Allocation.floats(record ? (long) bh * block : block) : null;
        float[] weights = drop ? Allocation.floats(block) : null;
        float[] scaled = new float[len * headDim];
        double[] exps = new double[src];
        float scale = (float) Math.sqrt(headDim);
        for (int b = 0; b < bh; b++) {
            int batch = b / heads;
            int h = b % heads;
            int at = record ? b * block : 0;
            scaleQuery(qo, batch, h, headDim, len, scale, scaled);
            Blas.sgemm(false, true, len, src, headDim, 1f, scaled, 0, headDim, ko.data, ko.base(batch, h, headDim), ko.rowStride,
                    probs, at, src, 0f);
            if (m != null) {
                int mo = perHeadMask ? b * block : 0;
                for (int i = 0; i < block; i++) probs[at + i] = m[mo + i] + probs[at + i];
            }
            for (int r = 0; r < len; r++) softmaxRow(probs, at + r * src, src, exps);
            float[] w = probs;
            int wAt = at;
            if (drop) {
                int km = record ? b * block : 0;
                if (keep > 0) {
                    generator.bernoulliMask(keepMask, km, block, keep, dropScale);
                }
                for (int i = 0; i < block; i++) weights[i] = probs[at + i] * keepMask[km + i];
                w = weights;
                wAt = 0;
            }
            Blas.sgemm(false, false, len, headDim, src, 1f, w, wAt, src, vo.data, vo.base(batch, h, headDim), vo.rowStride,
                    out, batch * outBatch + h * headDim, outRow, 0f);
        }
        int[] shape = batchFirst ? new int[] {n, len, e} : new int[] {len, n, e};
        return Tensor.result(out, shape, g -> {
            Operand go = new Operand(g, outRow, outBatch, 0);
            float[] dq = q.requiresGrad() ? q.gradBuffer() : null;
            float[] dk = k.requiresGrad() ? k.gradBuffer() : null;
            float[] dv = v.requiresGrad() ? v.gradBuffer() : null;
            float[] w = Allocation.floats(block);
            float[] dw = Allocation.floats(block);
            float[] part = new float[len * headDim];
            for (int b = 0; b < bh; b++) {
                int batch = b / heads;
                int h = b % heads;
                int at = b * block;
                int gBase = go.base(batch, h, headDim);
                for (int i = 0; i < block; i++) w[i] = drop ? probs[at + i] * keepMask[at + i] : probs[at + i];
                if (dv != null) {                                                   // dV += Wᵀ G
                    Blas.sgemm(true, false, src, headDim, len, 1f, w, 0, src, g, gBase, outRow,
                            dv, vo.base(batch, h, headDim), vo.rowStride, 1f);
                }
                if (dq == null && dk == null) continue;
                Blas.sgemm(false, true, len, src, headDim, 1f, g, gBase, outRow, vo.data, vo.base(batch, h, headDim), vo.rowStride,
                        dw, 0, src, 0f);                                            // dW = G Vᵀ
                for (int r = 0; r < len; r++) {                                     // through dropout and softmax: dS
                    int row = r * src;
                    double dot = 0;
                    for (int j = 0; j < src; j++) {
                        if (drop) dw[row + j] *= keepMask[at + row + j];
                        dot += (double) dw[row + j] * probs[at + row + j];
                    }
                    for (int j = 0; j < src; j++) dw[row + j] = (float) (probs[at + row + j] * (dw[row + j] - dot));
                }
                if (dq != null) {                                                   // dQ += (dS K) / sqrt(d)
                    Blas.sgemm(false, false, len, headDim, src, 1f, dw, 0, src, ko.data, ko.base(batch, h, headDim), ko.rowStride,
                            part, 0, headDim, 0f);
                    int base = qo.base(batch, h, headDim);
                    for (int r = 0; r < len; r++) {
                        for (int d = 0; d < headDim; d++) dq[base + r * qo.rowStride + d] += part[r * headDim + d] / scale;
                    }
                }
                if (dk != null) {                                                   // dK += dSᵀ (Q / sqrt(d))
                    scaleQuery(qo, batch, h, headDim, len, scale, part);
                    Blas.sgemm(true, false, src, headDim, len, 1f, dw, 0, src, part, 0, headDim,
                            dk, ko.base(batch, h, headDim), ko.rowStride, 1f);
                }
            }
        }, q, k, v);
    }

    /** One head's queries divided by sqrt(head_dim), as {@code q / math.sqrt(E)} rounds them, into a contiguous (L, d) block. */
    private static void scaleQuery(Operand q, int batch, int h, int headDim, int len, float scale, float[] into) {
        int base = q.base(batch, h, headDim);
        for (int r = 0; r < len; r++) {
            int from = base + r * q.rowStride;
            for (int d = 0; d < headDim; d++) into[r * headDim + d] = q.data[from + d] / scale;
        }
    }

    /** {@link Functional#softmax}'s arithmetic on one row, in place: exp(x - max) in double, divided by the sum. */
    private static void softmaxRow(float[] a, int from, int size, double[] e) {
        float m0 = Float.NEGATIVE_INFINITY;   // four running maxima: no chain through every element, the same max
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        int j4 = size & ~3;
        for (int j = 0; j < j4; j += 4) {
            m0 = Math.max(m0, a[from + j]);
            m1 = Math.max(m1, a[from + j + 1]);
            m2 = Math.max(m2, a[from + j + 2]);
            m3 = Math.max(m3, a[from + j + 3]);
        }
        for (int j = j4; j < size; j++) m0 = Math.max(m0, a[from + j]);
        double max = Math.max(Math.max(m0, m1), Math.max(m2, m3));
        for (int j = 0; j < size; j++) e[j] = a[from + j] - max;
        Functional.expNonPositive(e, size);
        double sum = 0;
        for (int j = 0; j < size; j++) sum += e[j];
        for (int j = 0; j < size; j++) a[from + j] = (float) (e[j] / sum);
    }
}
