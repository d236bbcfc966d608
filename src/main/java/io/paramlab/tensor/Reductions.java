package io.paramlab.tensor;

import java.util.Arrays;

/**
 * {@code sum} and {@code mean} over all elements or over given dims with {@code keepdim}, each
 * with its gradient (the output's gradient read back broadcast over the reduced dims). Sums
 * accumulate in float64; int64 and bool tensors sum to int64, as PyTorch.
 */
public final class Reductions {
    private Reductions() {
    }

    /** {@code x.sum()}: a 0-d tensor. */
    public static Tensor sum(Tensor x) {
        return reduce(x, allDims(x), false, false);
    }

    /** {@code x.sum(dim=dims, keepdim=keepdim)}; no dims means all. */
    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return reduce(x, dims.length == 0 ? allDims(x) : dims, keepdim, false);
    }

    /** {@code x.mean()}: a 0-d tensor (NaN for no elements). */
    public static Tensor mean(Tensor x) {
        return reduce(x, allDims(x), false, true);
    }

    /** {@code x.mean(dim=dims, keepdim=keepdim)}; no dims means all. */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        return reduce(x, dims.length == 0 ? allDims(x) : dims, keepdim, true);
    }

    private static int[] allDims(Tensor x) {
        int[] dims = new int[x.dim()];
        for (int i = 0; i < dims.length; i++) dims[i] = i;
        return dims;
    }

    private static Tensor reduce(Tensor x, int[] dims, boolean keepdim, boolean mean) {
        int[] s = x.shapeView();
        int[] reduced = Shapes.normalizeDims(dims, s.length);
        boolean[] isReduced = new boolean[s.length];
        for (int d : reduced) if (s.length > 0) isReduced[d] = true;
        int[] kept = s.clone();                          // the keepdim shape
        for (int d = 0; d < s.length; d++) if (isReduced[d]) kept[d] = 1;
        int[] strides = Strides.contiguous(kept);
        for (int d = 0; d < s.length; d++) if (isReduced[d]) strides[d] = 0;
        int[] shape = keepdim ? kept : Arrays.stream(range(s.length)).filter(d -> !isReduced[d]).map(d -> s[d]).toArray();
        int outN = Shapes.numel(kept);
        int count = outN == 0 ? 0 : x.numel() / outN;
        if (x.dtype() != Dtype.FLOAT32) {
            if (mean) {
                throw new ShapeException("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                        + "complex dtype. Got: " + x.dtype().scalarType());
            }
            long[] in = Arithmetic.to(x, Dtype.INT64).longs();
            int[] at = Strides.offsets(s, strides, 0);
            long[] out = Allocation.longs(outN);
            for (int i = 0; i < at.length; i++) out[at[i]] += in[i];
            return Tensor.ofLongs(out, shape);
        }
        double[] acc = new double[outN];
        Strides.scatterAdd(x.data(), s, strides, 0, acc);
        float[] y = Allocation.floats(outN);
        for (int i = 0; i < outN; i++) y[i] = (float) (mean ? acc[i] / count : acc[i]);
        float scale = mean ? 1f / count : 1f;
        return Tensor.result(y, shape, g -> Strides.gatherAdd(g, s, strides, scale, x.gradBuffer()), x);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
