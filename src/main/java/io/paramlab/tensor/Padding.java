package io.paramlab.tensor;

import java.util.Locale;

/**
 * {@code F.pad(input, pad, mode, value)}: {@code pad} pairs (before, after) from the last dim
 * backwards, as PyTorch orders them. Every output element reads one input element or the
 * constant, so the op is a gather through an index map and its gradient the matching scatter-add.
 */
public final class Padding {
    private Padding() {
    }

    /** The padding modes of F.pad (a Conv's padding_mode "zeros" is constant 0). */
    public enum Mode {
        CONSTANT, REFLECT, REPLICATE, CIRCULAR;

        public static Mode of(String name) {
            return name.equals("zeros") ? CONSTANT : valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    public static Tensor pad(Tensor x, int[] pad, Mode mode, double value) {
        int[] s = x.shapeView();
        if (pad.length % 2 != 0) {
            throw new ShapeException("Padding length must be divisible by 2");
        }
        int r = pad.length / 2;
        if (r > s.length) {
            throw new ShapeException("Padding length too large");
        }
        int[] out = s.clone();
        long[] padded = new long[s.length];   // the output's sizes, in long: a padding may pass an int's range
        for (int d = 0; d < s.length; d++) padded[d] = s[d];
        for (int k = 0; k < r; k++) {
            int d = s.length - 1 - k;
            int lo = pad[2 * k];
            int hi = pad[2 * k + 1];
            int n = s[d];
            if (mode == Mode.REFLECT && (lo >= n || hi >= n)) {
                throw new ShapeException("Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                        + "padding (" + lo + ", " + hi + ") at dimension " + d + " of input " + s.length);
            }
            if (mode == Mode.CIRCULAR && (lo > n || hi > n)) {
                throw new ShapeException("Padding value causes wrapping around more than once.");
            }
            padded[d] = (long) n + lo + hi;
            if (padded[d] < 0 || (mode != Mode.CONSTANT && (lo < 0 || hi < 0))) {
                throw new ShapeException("The input size " + n + ", plus negative padding " + lo + " and " + hi
                        + " resulted in a negative output size, which is invalid. Check dimension " + d + " of your input.");
            }
        }
        // refused over the budget (or an int's range) before the index maps, as long as the output's dims, are made
        Allocation.require(Allocation.times(padded));
        int[][] maps = new int[r][];
        for (int k = 0; k < r; k++) {
            int d = s.length - 1 - k;
            out[d] = (int) padded[d];
            maps[k] = new int[out[d]];
            for (int p = 0; p < out[d]; p++) maps[k][p] = source(p - pad[2 * k], s[d], mode);
        }
        // one map over the padded block of the last r dims, the same for every leading index
        int blockIn = Shapes.product(s, s.length - r, s.length);
        int blockOut = Shapes.product(out, s.length - r, s.length);
        int outer = Shapes.product(s, 0, s.length - r);
        int[] map = new int[blockOut];
        for (int i = 0; i < blockOut; i++) {
            int rest = i;
            int src = 0;
            int stride = 1;
            for (int k = 0; k < r && src >= 0; k++) {
                int d = s.length - 1 - k;
                int p = rest % out[d];
                rest /= out[d];
                int from = maps[k][p];
                src = from < 0 ? -1 : src + from * stride;
                stride *= s[d];
            }
            map[i] = src;
        }
        float[] a = x.data();
        float[] y = Allocation.floats((long) outer * blockOut);
        float fill = (float) value;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < blockOut; i++) {
                int src = map[i];
                y[o * blockOut + i] = src < 0 ? fill : a[o * blockIn + src];
            }
        }
        return Tensor.result(y, out, g -> {
            float[] dx = x.gradBuffer();
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < blockOut; i++) {
                    int src = map[i];
                    if (src >= 0) dx[o * blockIn + src] += g[o * blockOut + i];
                }
            }
        }, x);
    }

    /** The input index that position i (-lo .. n + hi) reads, or -1 for the constant. */
    private static int source(int i, int n, Mode mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
            case REPLICATE -> i < 0 ? 0 : n - 1;
            case CIRCULAR -> ((i % n) + n) % n;
        };
    }
}
