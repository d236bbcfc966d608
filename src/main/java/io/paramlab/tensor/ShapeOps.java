package io.paramlab.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's shape ops, each with its gradient. Every tensor here is contiguous: the ops that
 * only rename the shape (view, reshape, flatten, unsqueeze, squeeze, contiguous) share the
 * storage, and those that reorder (permute, transpose, expand, split's pieces) copy it through
 * one strided walk ({@link Strides}) whose gradient is the same walk backwards. So {@code view}
 * also accepts what PyTorch would first ask to make contiguous; the values are the same.
 */
public final class ShapeOps {
    private ShapeOps() {
    }

    /** {@code x.view(*shape)}, one size may be -1. */
    public static Tensor view(Tensor x, int... shape) {
        return Strides.alias(x, inferSize(shape, x.numel()));
    }

    /** {@code x.reshape(*shape)}: the same as {@link #view} here, as every tensor is contiguous. */
    public static Tensor reshape(Tensor x, int... shape) {
        return view(x, shape);
    }

    /** {@code x.contiguous()}: already so. */
    public static Tensor contiguous(Tensor x) {
        return x;
    }

    /** {@code torch.flatten(x, start_dim, end_dim)} */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        int[] s = x.shapeView();
        int start = Shapes.normalizeDim(startDim, s.length);
        int end = Shapes.normalizeDim(endDim, s.length);
        if (start > end) {
            throw new ShapeException("flatten() has invalid args: start_dim cannot come after end_dim");
        }
        if (s.length == 0) {
            return Strides.alias(x, new int[] {1});
        }
        int[] shape = new int[s.length - (end - start)];
        System.arraycopy(s, 0, shape, 0, start);
        shape[start] = Shapes.product(s, start, end + 1);
        System.arraycopy(s, end + 1, shape, start + 1, s.length - end - 1);
        return Strides.alias(x, shape);
    }

    /** {@code x.unsqueeze(dim)}, dim in [-rank-1, rank]. */
    public static Tensor unsqueeze(Tensor x, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length + 1);
        int[] shape = new int[s.length + 1];
        System.arraycopy(s, 0, shape, 0, d);
        shape[d] = 1;
        System.arraycopy(s, d, shape, d + 1, s.length - d);
        return Strides.alias(x, shape);
    }

    /** {@code x.squeeze()}: every dim of size 1 removed. */
    public static Tensor squeeze(Tensor x) {
        int[] s = x.shapeView();
        return Strides.alias(x, Arrays.stream(s).filter(n -> n != 1).toArray());
    }

    /** {@code x.squeeze(dim)}: that dim removed if its size is 1, else x unchanged. */
    public static Tensor squeeze(Tensor x, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        if (s.length == 0 || s[d] != 1) {
            return Strides.alias(x, s);
        }
        int[] shape = new int[s.length - 1];
        System.arraycopy(s, 0, shape, 0, d);
        System.arraycopy(s, d + 1, shape, d, s.length - d - 1);
        return Strides.alias(x, shape);
    }

    /** {@code x.permute(*dims)} */
    public static Tensor permute(Tensor x, int... dims) {
        int[] s = x.shapeView();
        if (dims.length != s.length) {
            throw new ShapeException("permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                    + "the desired ordering of dimensions i.e. input.dim() = " + s.length + " is not equal to len(dims) = " + dims.length);
        }
        int[] strides = Strides.contiguous(s);
        int[] shape = new int[s.length];
        int[] viewStrides = new int[s.length];
        boolean[] seen = new boolean[s.length];
        boolean identity = true;
        for (int i = 0; i < dims.length; i++) {
            int d = Shapes.normalizeDim(dims[i], s.length);
            if (seen[d]) {
                throw new ShapeException("permute(): duplicate dims are not allowed.");
            }
            seen[d] = true;
            identity &= d == i;
            shape[i] = s[d];
            viewStrides[i] = strides[d];
        }
        return identity ? Strides.alias(x, s) : Strides.view(x, 0, shape, viewStrides);
    }

    /** {@code x.transpose(dim0, dim1)} */
    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int rank = x.dim();
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = i;
        int a = Shapes.normalizeDim(dim0, rank);
        int b = Shapes.normalizeDim(dim1, rank);
        if (rank == 0) {
            return Strides.alias(x, x.shapeView());
        }
        dims[a] = b;
        dims[b] = a;
        return permute(x, dims);
    }

    /** {@code x.expand(*sizes)}: -1 keeps a size; new leading dims may be added. */
    public static Tensor expand(Tensor x, int... sizes) {
        int[] s = x.shapeView();
        if (sizes.length < s.length) {
            throw new ShapeException("expand(torch.FloatTensor{" + Shapes.format(s) + "}, size=" + Shapes.format(sizes)
                    + "): the number of sizes provided (" + sizes.length + ") must be greater or equal to the number of "
                    + "dimensions in the tensor (" + s.length + ")");
        }
        int lead = sizes.length - s.length;
        int[] shape = new int[sizes.length];
        int[] strides = new int[sizes.length];
        int[] own = Strides.contiguous(s);
        for (int i = 0; i < sizes.length; i++) {
            if (i < lead) {
                if (sizes[i] < 0) {
                    throw new ShapeException("The expanded size of the tensor (" + sizes[i]
                            + ") isn't allowed in a leading, non-existing dimension " + i);
                }
                shape[i] = sizes[i];
                continue;
            }
            int have = s[i - lead];
            int want = sizes[i] == -1 ? have : sizes[i];
            if (have != want && have != 1) {
                throw new ShapeException("The expanded size of the tensor (" + want + ") must match the existing size (" + have
                        + ") at non-singleton dimension " + i + ".  Target sizes: " + Shapes.format(sizes) + ".  Tensor sizes: "
                        + Shapes.format(s));
            }
            shape[i] = want;
            strides[i] = have == want ? own[i - lead] : 0;
        }
        return Arrays.equals(shape, s) ? x : Strides.view(x, 0, shape, strides);
    }

    /** {@code torch.cat(tensors, dim)} */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new ShapeException("torch.cat(): expected a non-empty list of Tensors");
        }
        List<Tensor> parts = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();       // in the caller's list, for the messages
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!(t.dim() == 1 && t.numel() == 0)) {      // PyTorch skips legacy empty 1-D tensors
                parts.add(t);
                positions.add(i);
            }
        }
        if (parts.isEmpty()) {
            return tensors.get(0);
        }
        Tensor first = parts.get(0);
        int[] s0 = first.shapeView();
        if (s0.length == 0) {
            throw new ShapeException("zero-dimensional tensor (at position " + positions.get(0) + ") cannot be concatenated");
        }
        int d = Shapes.normalizeDim(dim, s0.length);
        int total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = parts.get(i);
            int[] s = t.shapeView();
            if (s.length == 0) {
                throw new ShapeException("zero-dimensional tensor (at position " + positions.get(i) + ") cannot be concatenated");
            }
            if (t.dtype() != first.dtype()) {
                throw new ShapeException("expected scalar type " + first.dtype().scalarType() + " but found " + t.dtype().scalarType());
            }
            if (s.length != s0.length) {
                throw new ShapeException("Tensors must have same number of dimensions: got " + s0.length + " and " + s.length);
            }
            for (int k = 0; k < s.length; k++) {
                if (k != d && s[k] != s0[k]) {
                    throw new ShapeException("Sizes of tensors must match except in dimension " + d + ". Expected size " + s0[k]
                            + " but got size " + s[k] + " for tensor number " + positions.get(i) + " in the list.");
                }
            }
            total += s[d];
        }
        int[] shape = s0.clone();
        shape[d] = total;
        int outer = Shapes.product(s0, 0, d);
        int inner = Shapes.product(s0, d + 1, s0.length);
        Tensor[] inputs = parts.toArray(new Tensor[0]);
        if (first.dtype() != Dtype.FLOAT32) {
            return catAny(inputs, shape, d, outer, inner);
        }
        float[] y = Allocation.floats(Shapes.numel(shape));
        int row = total * inner;
        int at = 0;
        for (Tensor t : inputs) {
            int block = t.shapeView()[d] * inner;
            float[] a = t.data();
            for (int o = 0; o < outer; o++) System.arraycopy(a, o * block, y, o * row + at, block);
            at += block;
        }
        return Tensor.result(y, shape, g -> {
            int from = 0;
            for (Tensor t : inputs) {
                int block = t.shapeView()[d] * inner;
                if (t.requiresGrad()) {
                    float[] dx = t.gradBuffer();
                    for (int o = 0; o < outer; o++) {
                        for (int j = 0; j < block; j++) dx[o * block + j] += g[o * row + from + j];
                    }
                }
                from += block;
            }
        }, inputs);
    }

    private static Tensor catAny(Tensor[] inputs, int[] shape, int d, int outer, int inner) {
        int row = shape[d] * inner;
        boolean longs = inputs[0].dtype() == Dtype.INT64;
        Object y = longs ? Allocation.longs(Shapes.numel(shape)) : Allocation.bools(Shapes.numel(shape));
        int at = 0;
        for (Tensor t : inputs) {
            int block = t.shapeView()[d] * inner;
            Object a = longs ? t.longs() : t.bools();
            for (int o = 0; o < outer; o++) System.arraycopy(a, o * block, y, o * row + at, block);
            at += block;
        }
        return longs ? Tensor.ofLongs((long[]) y, shape) : Tensor.ofBools((boolean[]) y, shape);
    }

    /** {@code torch.stack(tensors, dim)}: equal shapes, joined along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new ShapeException("stack expects a non-empty TensorList");
        }
        int[] s0 = tensors.get(0).shapeView();
        int d = Shapes.normalizeDim(dim, s0.length + 1);
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            int[] s = tensors.get(i).shapeView();
            if (!Arrays.equals(s, s0)) {
                throw new ShapeException("stack expects each tensor to be equal size, but got " + Shapes.format(s0) + " at entry 0 and "
                        + Shapes.format(s) + " at entry " + i);
            }
            parts.add(unsqueeze(tensors.get(i), d));
        }
        return cat(parts, d);
    }

    /** {@code x.split(split_size, dim)}: pieces of that size, the last one smaller if need be. */
    public static List<Tensor> split(Tensor x, int splitSize, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        int n = s[d];
        if (splitSize < 0) {
            throw new ShapeException("split expects split_size be non-negative, but got split_size=" + splitSize);
        }
        if (splitSize == 0 && n != 0) {
            throw new ShapeException("split_size can only be 0 if dimension size is 0, but got dimension size of " + n);
        }
        int pieces = splitSize == 0 ? 1 : Math.max(1, (n + splitSize - 1) / splitSize);
        int[] sizes = new int[pieces];
        for (int i = 0; i < pieces; i++) sizes[i] = Math.min(splitSize, n - i * splitSize);
        return narrowAll(x, d, sizes);
    }

    /** {@code x.split([sizes], dim)}: pieces of those sizes, which must add up to the dim's size. */
    public static List<Tensor> split(Tensor x, int[] splitSizes, int dim) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        long sum = 0;
        for (int size : splitSizes) {
            if (size < 0) {
                throw new ShapeException("split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes="
                        + Shapes.format(splitSizes));
            }
            sum += size;
        }
        if (sum != s[d]) {
            throw new ShapeException("split_with_sizes expects split_sizes to sum exactly to " + s[d] + " (input tensor's size at "
                    + "dimension " + d + "), but got split_sizes=" + Shapes.format(splitSizes));
        }
        return narrowAll(x, d, splitSizes);
    }

    /** {@code x.chunk(chunks, dim)}: pieces of ceil(size / chunks), so possibly fewer than chunks. */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new ShapeException("chunk expects `chunks` to be greater than 0, got: " + chunks);
        }
        int[] s = x.shapeView();
        if (s.length == 0) {
            throw new ShapeException("chunk expects at least a 1-dimensional tensor");
        }
        int n = s[Shapes.normalizeDim(dim, s.length)];
        return split(x, (n + chunks - 1) / chunks, dim);
    }

    /** {@code x.narrow(dim, start, length)}, copied. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int[] s = x.shapeView();
        int d = Shapes.normalizeDim(dim, s.length);
        int from = start < 0 ? start + s[d] : start;
        if (from < 0 || from > s[d] || length < 0 || from + length > s[d]) {
            throw new ShapeException("start (" + start + ") + length (" + length + ") exceeds dimension size (" + s[d] + ").");
        }
        int[] shape = s.clone();
        shape[d] = length;
        int[] strides = Strides.contiguous(s);
        return Strides.view(x, from * strides[d], shape, strides);
    }

    private static List<Tensor> narrowAll(Tensor x, int d, int[] sizes) {
        List<Tensor> out = new ArrayList<>(sizes.length);
        int from = 0;
        for (int size : sizes) {
            out.add(narrow(x, d, from, size));
            from += size;
        }
        return out;
    }

    /** The sizes of a view with at most one -1 inferred, with PyTorch's messages. */
    static int[] inferSize(int[] shape, int numel) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException("only one dimension can be inferred");
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new ShapeException("invalid shape dimension " + shape[i]);
            } else {
                known *= shape[i];
            }
        }
        int[] out = shape.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new ShapeException("shape '" + Shapes.format(shape) + "' is invalid for input of size " + numel);
            }
            out[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new ShapeException("shape '" + Shapes.format(shape) + "' is invalid for input of size " + numel);
        }
        return out;
    }
}
