package io.paramlab.tensor;

import java.util.Arrays;

/** Shape arithmetic and the shape texts of PyTorch's messages, in one place. */
public final class Shapes {
    private Shapes() {
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension " + d);
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("a tensor of shape " + format(shape) + " is too large");
        }
        return (int) n;
    }

    /** {@code [2, 3]} */
    public static String format(int[] shape) {
        return Arrays.toString(shape);
    }

    /** {@code torch.Size([2, 3])} */
    public static String torchSize(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }

    /** A possibly negative dim as an index, with PyTorch's error when it is out of range. */
    public static int normalizeDim(int dim, int rank) {
        int r = Math.max(rank, 1);   // a 0-d tensor accepts dims -1 and 0, as PyTorch
        if (dim < -r || dim >= r) {
            throw new ShapeException("Dimension out of range (expected to be in range of [" + (-r) + ", " + (r - 1)
                    + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Product of {@code shape[from..to)}. */
    static int product(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    /** The row-major position of {@code t[index]}, negative indices counted from the end, as PyTorch indexes and words it. */
    public static int flatIndex(int[] shape, int[] index) {
        if (index.length != shape.length) {
            throw new ShapeException("too many indices for tensor of dimension " + shape.length
                    + ": got " + index.length + " indices, need exactly " + shape.length);
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new ShapeException("index " + index[d] + " is out of bounds for dimension " + d + " with size " + shape[d]);
            }
            flat = flat * shape[d] + i;
        }
        return flat;
    }

    /** The shape two operands broadcast to, as torch.broadcast_shapes, with PyTorch's message when they do not. */
    public static int[] broadcast(int[] a, int[] b) {
        if (Arrays.equals(a, b)) {
            return a;
        }
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = rank - 1; i >= 0; i--) {
            int offset = rank - 1 - i;
            int sizeA = offset < a.length ? a[a.length - 1 - offset] : 1;
            int sizeB = offset < b.length ? b[b.length - 1 - offset] : 1;
            if (sizeA != sizeB && sizeA != 1 && sizeB != 1) {
                throw new ShapeException("The size of tensor a (" + sizeA + ") must match the size of tensor b (" + sizeB
                        + ") at non-singleton dimension " + i);
            }
            out[i] = sizeA == 1 ? sizeB : sizeA;
        }
        return out;
    }

    /** Distinct dims, each normalized, in the order given, with PyTorch's message for a repeat. */
    static int[] normalizeDims(int[] dims, int rank) {
        int[] out = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            out[i] = normalizeDim(dims[i], rank);
            if (seen[out[i]]) {
                throw new ShapeException("dim " + out[i] + " appears multiple times in the list of dims");
            }
            seen[out[i]] = true;
        }
        return out;
    }
}
