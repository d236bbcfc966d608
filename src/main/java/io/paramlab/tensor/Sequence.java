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
}
