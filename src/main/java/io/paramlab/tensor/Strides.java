package io.paramlab.tensor;

/**
 * Walks over strided views of contiguous storage: the one loop behind permute, expand, slicing,
 * broadcasting and reductions. A view is (offset, shape, strides) over a flat array; copying it
 * out is {@link #gather}, and the gradient of that copy is {@link #scatterAdd} with the same view
 * (a stride of 0 sums, which is how broadcasting's and reductions' gradients come out).
 */
final class Strides {
    private Strides() {
    }

    /** Visits one innermost row of a view: its position in the contiguous walk and its first element's offset. */
    @FunctionalInterface
    interface Row {
        void visit(int position, int base);
    }

    static int[] contiguous(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }

    /** The strides that read a contiguous tensor of shape {@code in} as broadcast to {@code out}: 0 along the broadcast dims. */
    static int[] broadcast(int[] in, int[] out) {
        int[] inStrides = contiguous(in);
        int[] strides = new int[out.length];
        for (int i = 0; i < in.length; i++) {
            int d = out.length - in.length + i;
            strides[d] = in[i] == 1 && out[d] != 1 ? 0 : inStrides[i];
        }
        return strides;
    }

    /** Calls {@code row} for every innermost row of the view, in row-major order (rows of {@code shape[rank-1]} elements). */
    static void rows(int[] shape, int[] strides, int offset, Row row) {
        int rank = shape.length;
        int n = Shapes.numel(shape);
        if (n == 0) {
            return;
        }
        if (rank == 0) {
            row.visit(0, offset);
            return;
        }
        int inner = shape[rank - 1];
        int[] index = new int[rank];
        int base = offset;
        for (int position = 0; position < n; position += inner) {
            row.visit(position, base);
            for (int d = rank - 2; d >= 0; d--) {
                index[d]++;
                base += strides[d];
                if (index[d] < shape[d]) {
                    break;
                }
                base -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
    }

    private static int innerSize(int[] shape) {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    private static int innerStride(int[] strides) {
        return strides.length == 0 ? 1 : strides[strides.length - 1];
    }

    /** The view's values, copied into a new contiguous array. */
    static float[] gather(float[] src, int offset, int[] shape, int[] strides) {
        float[] out = Allocation.floats(Shapes.numel(shape));
        int inner = innerSize(shape);
        int step = innerStride(strides);
        rows(shape, strides, offset, (position, base) -> {
            if (step == 1) {
                System.arraycopy(src, base, out, position, inner);
            } else {
                for (int j = 0; j < inner; j++) out[position + j] = src[base + j * step];
            }
        });
        return out;
    }

    /** {@code dst[view] += values}, values contiguous in the view's shape: the gradient of {@link #gather}. */
    static void scatterAdd(float[] values, int[] shape, int[] strides, int offset, float[] dst) {
        int inner = innerSize(shape);
        int step = innerStride(strides);
        rows(shape, strides, offset, (position, base) -> {
            if (step == 0) {                              // a row summed into one element: in a register
                double sum = 0;
                for (int j = 0; j < inner; j++) sum += values[position + j];
                dst[base] += (float) sum;
            } else if (step == 1) {
                for (int j = 0; j < inner; j++) dst[base + j] += values[position + j];
            } else {
                for (int j = 0; j < inner; j++) dst[base + j * step] += values[position + j];
            }
        });
    }

    /** As {@link #scatterAdd}, summing in float64 (reductions). */
    static void scatterAdd(float[] values, int[] shape, int[] strides, int offset, double[] dst) {
        int inner = innerSize(shape);
        int step = innerStride(strides);
        rows(shape, strides, offset, (position, base) -> {
            if (step == 0) {                              // four chains, so the adds overlap
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int j = 0;
                for (; j + 3 < inner; j += 4) {
                    s0 += values[position + j];
                    s1 += values[position + j + 1];
                    s2 += values[position + j + 2];
                    s3 += values[position + j + 3];
                }
                for (; j < inner; j++) s0 += values[position + j];
                dst[base] += (s0 + s1) + (s2 + s3);
            } else {
                for (int j = 0; j < inner; j++) dst[base + j * step] += values[position + j];
            }
        });
    }

    /** {@code dst += scale * view}, dst contiguous in the view's shape: a broadcast read added (the gradient of a reduction). */
    static void gatherAdd(float[] src, int[] shape, int[] strides, float scale, float[] dst) {
        int inner = innerSize(shape);
        int step = innerStride(strides);
        rows(shape, strides, 0, (position, base) -> {
            if (step == 0) {
                float v = scale * src[base];
                for (int j = 0; j < inner; j++) dst[position + j] += v;
            } else {
                for (int j = 0; j < inner; j++) dst[position + j] += scale * src[base + j * step];
            }
        });
    }

    /** The flat offsets of the view's elements in row-major order (for the small int64 and bool tensors). */
    static int[] offsets(int[] shape, int[] strides, int offset) {
        int[] out = Allocation.ints(Shapes.numel(shape));
        int inner = innerSize(shape);
        int step = innerStride(strides);
        rows(shape, strides, offset, (position, base) -> {
            for (int j = 0; j < inner; j++) out[position + j] = base + j * step;
        });
        return out;
    }

    /** A view of any dtype copied out into a new tensor (no gradient recorded: callers add it for float32). */
    static Tensor gatherAny(Tensor t, int offset, int[] shape, int[] strides) {
        switch (t.dtype()) {
            case FLOAT32:
                return Tensor.of(gather(t.data(), offset, shape, strides), shape);
            case INT64: {
                long[] src = t.longs();
                int[] at = offsets(shape, strides, offset);
                long[] out = Allocation.longs(at.length);
                for (int i = 0; i < at.length; i++) out[i] = src[at[i]];
                return Tensor.ofLongs(out, shape);
            }
            default: {
                boolean[] src = t.bools();
                int[] at = offsets(shape, strides, offset);
                boolean[] out = Allocation.bools(at.length);
                for (int i = 0; i < at.length; i++) out[i] = src[at[i]];
                return Tensor.ofBools(out, shape);
            }
        }
    }

    /** The view copied out as a new tensor whose gradient is scattered back into {@code t}'s. */
    static Tensor view(Tensor t, int offset, int[] shape, int[] strides) {
        if (t.dtype() != Dtype.FLOAT32) {
            return gatherAny(t, offset, shape, strides);
        }
        float[] y = gather(t.data(), offset, shape, strides);
        return Tensor.result(y, shape, g -> scatterAdd(g, shape, strides, offset, t.gradBuffer()), t);
    }

    /** The same storage under another shape of as many elements (view, reshape, squeeze...); the gradient passes as it is. */
    static Tensor alias(Tensor t, int[] shape) {
        switch (t.dtype()) {
            case INT64:
                return Tensor.ofLongs(t.longs(), shape);
            case BOOL:
                return Tensor.ofBools(t.bools(), shape);
            default:
                return Tensor.result(t.data(), shape, g -> {
                    float[] dx = t.gradBuffer();
                    for (int i = 0; i < g.length; i++) dx[i] += g[i];
                }, t);
        }
    }
}
