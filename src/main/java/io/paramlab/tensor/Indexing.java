package io.paramlab.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Basic indexing, {@code x[...]} with ints, slices (positive steps), {@code None} and one
 * ellipsis, as one op: the index becomes a strided view, copied out, whose gradient is scattered
 * back into the input's.
 */
public final class Indexing {
    private Indexing() {
    }

    /** One entry of an index tuple. */
    public sealed interface Index permits At, Slice, NewAxis, Ellipsis {
        /** {@code i} */
        static Index at(int index) {
            return new At(index);
        }

        /** {@code start:stop:step}; a null bound is open. */
        static Index slice(Integer start, Integer stop, int step) {
            return new Slice(start, stop, step);
        }

        /** {@code :} */
        static Index all() {
            return new Slice(null, null, 1);
        }

        /** {@code None} */
        static Index newAxis() {
            return NewAxis.NEW_AXIS;
        }

        /** {@code ...} */
        static Index ellipsis() {
            return Ellipsis.ELLIPSIS;
        }
    }

    public record At(int index) implements Index {
    }

    public record Slice(Integer start, Integer stop, int step) implements Index {
    }

    public enum NewAxis implements Index { NEW_AXIS }

    public enum Ellipsis implements Index { ELLIPSIS }

    /** {@code x[indices]} (torch's {@code __getitem__} / operator.getitem with a tuple). */
    public static Tensor getItem(Tensor x, Index... indices) {
        int[] s = x.shapeView();
        int consuming = 0;
        int ellipses = 0;
        for (Index index : indices) {
            if (index instanceof At || index instanceof Slice) consuming++;
            if (index instanceof Ellipsis) ellipses++;
        }
        if (ellipses > 1) {
            throw new ShapeException("an index can only have a single ellipsis ('...')");
        }
        if (consuming > s.length) {
            throw new ShapeException("too many indices for tensor of dimension " + s.length);
        }
        int[] strides = Strides.contiguous(s);
        List<Integer> shape = new ArrayList<>();
        List<Integer> viewStrides = new ArrayList<>();
        int offset = 0;
        int dim = 0;
        for (Index index : indices) {
            if (index instanceof Ellipsis) {
                for (int skip = s.length - consuming; skip > 0; skip--, dim++) {
                    shape.add(s[dim]);
                    viewStrides.add(strides[dim]);
                }
            } else if (index instanceof NewAxis) {
                shape.add(1);
                viewStrides.add(0);
            } else if (index instanceof At at) {
                int i = at.index() < 0 ? at.index() + s[dim] : at.index();
                if (i < 0 || i >= s[dim]) {
                    throw new ShapeException("index " + at.index() + " is out of bounds for dimension " + dim + " with size " + s[dim]);
                }
                offset += i * strides[dim];
                dim++;
            } else {
                Slice slice = (Slice) index;
                if (slice.step() <= 0) {
                    throw new ShapeException("step must be greater than zero");
                }
                int size = s[dim];
                int start = clamp(slice.start(), 0, size);
                int stop = clamp(slice.stop(), size, size);
                int length = stop <= start ? 0 : (stop - start + slice.step() - 1) / slice.step();
                offset += start * strides[dim];
                shape.add(length);
                viewStrides.add(strides[dim] * slice.step());
                dim++;
            }
        }
        for (; dim < s.length; dim++) {                 // trailing dims not indexed are kept whole
            shape.add(s[dim]);
            viewStrides.add(strides[dim]);
        }
        int[] outShape = shape.stream().mapToInt(Integer::intValue).toArray();
        return Strides.view(x, offset, outShape, viewStrides.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A Python slice bound: negative counts from the end, then clamped to [0, size]. */
    private static int clamp(Integer bound, int absent, int size) {
        if (bound == null) {
            return absent;
        }
        int b = bound < 0 ? bound + size : bound;
        return Math.max(0, Math.min(size, b));
    }
}
