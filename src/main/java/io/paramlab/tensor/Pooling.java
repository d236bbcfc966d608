package io.paramlab.tensor;

/**
 * Max, average and adaptive pooling over the last r dims (r = 1 or 2, from the kernel's length),
 * with PyTorch's window arithmetic and gradients. Every leading dim is a plane of its own, and a
 * 1-D pool is a 2-D one of height 1.
 */
public final class Pooling {
    private Pooling() {
    }

    /** {@code F.max_pool1d/2d}; ties go to the first maximum, a NaN wins (the last NaN of the window), as PyTorch's CPU kernel. */
    public static Tensor maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        Planes p = Planes.of(x, kernel.length, "max_pool" + kernel.length + "d");
        Windows wh = Windows.sliding(p.h, dim(kernel, 0, 1), dim(stride, 0, 1), dim(padding, 0, 0), dim(dilation, 0, 1), ceilMode);
        Windows ww = Windows.sliding(p.w, last(kernel), last(stride), last(padding), last(dilation), ceilMode);
        check(p, kernel, padding, wh, ww);
        float[] a = x.data();
        float[] y = Allocation.floats((long) p.planes * wh.out * ww.out);
        int[] argmax = new int[y.length];
        for (int pl = 0; pl < p.planes; pl++) {
            int base = pl * p.h * p.w;
            for (int oy = 0; oy < wh.out; oy++) {
                int y0 = wh.start(oy);
                int y1 = wh.end(oy);
                while (y0 < 0) y0 += wh.dilation;
                for (int ox = 0; ox < ww.out; ox++) {
                    int x0 = ww.start(ox);
                    int x1 = ww.end(ox);
                    while (x0 < 0) x0 += ww.dilation;
                    int best = y0 * p.w + x0;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int iy = y0; iy < y1; iy += wh.dilation) {
                        for (int ix = x0; ix < x1; ix += ww.dilation) {
                            float v = a[base + iy * p.w + ix];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = iy * p.w + ix;
                            }
                        }
                    }
                    int o = (pl * wh.out + oy) * ww.out + ox;
                    y[o] = max;
                    argmax[o] = base + best;
                }
            }
        }
        return Tensor.result(y, p.outShape(wh.out, ww.out), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[argmax[i]] += g[i];
        }, x);
    }

    /** {@code F.avg_pool1d/2d}; {@code divisorOverride} 0 for none. */
    public static Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
                                 int divisorOverride) {
        Planes p = Planes.of(x, kernel.length, "avg_pool" + kernel.length + "d");
        Windows wh = Windows.sliding(p.h, dim(kernel, 0, 1), dim(stride, 0, 1), dim(padding, 0, 0), 1, ceilMode);
        Windows ww = Windows.sliding(p.w, last(kernel), last(stride), last(padding), 1, ceilMode);
        check(p, kernel, padding, wh, ww);
        float[] a = x.data();
        int outPlane = wh.out * ww.out;
        float[] y = Allocation.floats((long) p.planes * outPlane);
        float[] divisor = new float[outPlane];
        int[][] bounds = new int[outPlane][];
        for (int oy = 0; oy < wh.out; oy++) {
            for (int ox = 0; ox < ww.out; ox++) {
                int y0 = wh.start(oy);
                int x0 = ww.start(ox);
                int y1 = Math.min(y0 + wh.kernel, p.h + wh.padding);
                int x1 = Math.min(x0 + ww.kernel, p.w + ww.padding);
                int poolSize = (y1 - y0) * (x1 - x0);
                y0 = Math.max(y0, 0);
                x0 = Math.max(x0, 0);
                y1 = Math.min(y1, p.h);
                x1 = Math.min(x1, p.w);
                int o = oy * ww.out + ox;
                bounds[o] = new int[] {y0, y1, x0, x1};
                divisor[o] = divisorOverride != 0 ? divisorOverride : countIncludePad ? poolSize : (y1 - y0) * (x1 - x0);
            }
        }
        for (int pl = 0; pl < p.planes; pl++) {
            int base = pl * p.h * p.w;
            for (int o = 0; o < outPlane; o++) {
                int[] b = bounds[o];
                if (b[0] >= b[1] || b[2] >= b[3]) continue;
                float sum = 0;
                for (int iy = b[0]; iy < b[1]; iy++) {
                    for (int ix = b[2]; ix < b[3]; ix++) sum += a[base + iy * p.w + ix];
                }
                y[pl * outPlane + o] = sum / divisor[o];
            }
        }
        return Tensor.result(y, p.outShape(wh.out, ww.out), g -> {
            float[] dx = x.gradBuffer();
            for (int pl = 0; pl < p.planes; pl++) {
                int base = pl * p.h * p.w;
                for (int o = 0; o < outPlane; o++) {
                    int[] b = bounds[o];
                    float share = g[pl * outPlane + o] / divisor[o];
                    for (int iy = b[0]; iy < b[1]; iy++) {
                        for (int ix = b[2]; ix < b[3]; ix++) dx[base + iy * p.w + ix] += share;
                    }
                }
            }
        }, x);
    }

    /** {@code F.adaptive_avg_pool1d/2d}: output_size entries of null (here -1) keep the input's size. */
    public static Tensor adaptiveAvgPool(Tensor x, int[] outputSize) {
        return adaptive(x, outputSize, false);
    }

    /** {@code F.adaptive_max_pool1d/2d}, with max pooling's tie and NaN rules. */
    public static Tensor adaptiveMaxPool(Tensor x, int[] outputSize) {
        return adaptive(x, outputSize, true);
    }

    private static Tensor adaptive(Tensor x, int[] outputSize, boolean max) {
        int r = outputSize.length;
        String name = "adaptive_" + (max ? "max" : "avg") + "_pool" + r + "d";
        Planes p = Planes.of(x, r, name);
        int oh = r == 1 ? 1 : outputSize[0] < 0 ? p.h : outputSize[0];
        int ow = outputSize[r - 1] < 0 ? p.w : outputSize[r - 1];
        float[] a = x.data();
        int outPlane = oh * ow;
        float[] y = Allocation.floats((long) p.planes * outPlane);
        int[] argmax = max ? new int[y.length] : null;
        for (int pl = 0; pl < p.planes; pl++) {
            int base = pl * p.h * p.w;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = adaptiveStart(oy, p.h, oh);
                int y1 = adaptiveEnd(oy, p.h, oh);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = adaptiveStart(ox, p.w, ow);
                    int x1 = adaptiveEnd(ox, p.w, ow);
                    int o = pl * outPlane + oy * ow + ox;
                    if (max) {
                        int best = y0 * p.w + x0;
                        float m = Float.NEGATIVE_INFINITY;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                float v = a[base + iy * p.w + ix];
                                if (v > m || Float.isNaN(v)) {
                                    m = v;
                                    best = iy * p.w + ix;
                                }
                            }
                        }
                        y[o] = m;
                        argmax[o] = base + best;
                    } else {
                        float sum = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) sum += a[base + iy * p.w + ix];
                        }
                        y[o] = sum / ((y1 - y0) * (x1 - x0));
                    }
                }
            }
        }
        return Tensor.result(y, p.outShape(oh, ow), g -> {
            float[] dx = x.gradBuffer();
            if (max) {
                for (int i = 0; i < g.length; i++) dx[argmax[i]] += g[i];
                return;
            }
            for (int pl = 0; pl < p.planes; pl++) {
                int base = pl * p.h * p.w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = adaptiveStart(oy, p.h, oh);
                    int y1 = adaptiveEnd(oy, p.h, oh);
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = adaptiveStart(ox, p.w, ow);
                        int x1 = adaptiveEnd(ox, p.w, ow);
                        float share = g[pl * outPlane + oy * ow + ox] / ((y1 - y0) * (x1 - x0));
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) dx[base + iy * p.w + ix] += share;
                        }
                    }
                }
            }
        }, x);
    }

    /** PyTorch's {@code start_index}: floor(o * in / out). */
    static int adaptiveStart(int o, int in, int out) {
        return (int) ((long) o * in / out);
    }

    /** PyTorch's {@code end_index}: ceil((o + 1) * in / out). */
    static int adaptiveEnd(int o, int in, int out) {
        return (int) (((long) (o + 1) * in + out - 1) / out);
    }

    /** The value for the height: {@code neutral} (a window of one row, no padding) for a 1-D pool. */
    private static int dim(int[] values, int d, int neutral) {
        return values.length == 1 ? neutral : values[d];
    }

    private static int last(int[] values) {
        return values[values.length - 1];
    }

    /** PyTorch's checks of a pooling's arguments against its input, in its words. */
    private static void check(Planes p, int[] kernel, int[] padding, Windows wh, Windows ww) {
        for (int d = 0; d < kernel.length; d++) {
            if (padding[d] > kernel[d] / 2) {
                throw new ShapeException("pad should be at most half of kernel size, but got pad=" + padding[d]
                        + " and kernel_size=" + kernel[d]);
            }
        }
        if (wh.out < 1 || ww.out < 1) {
            String in = p.channels + "x" + p.h + "x" + p.w;
            String out = p.channels + "x" + wh.out + "x" + ww.out;
            throw new ShapeException("Given input size: (" + in + "). Calculated output size: (" + out + "). Output size is too small");
        }
    }

    /** The input as planes of h x w (h = 1 for 1-D), and the shape of an output of oh x ow per plane. */
    private record Planes(int[] shape, int r, int planes, int channels, int h, int w) {
        static Planes of(Tensor x, int r, String op) {
            int[] s = x.shapeView();
            if (s.length != r + 1 && s.length != r + 2) {
                throw new ShapeException(op + "(): Expected " + (r + 1) + "D or " + (r + 2) + "D tensor, but got " + Shapes.format(s));
            }
            for (int d = 1; d < s.length; d++) {
                if (s[d] == 0) {
                    throw new ShapeException(op + "(): Expected input to have non-zero size for non-batch dimensions, but input has "
                            + "sizes " + Shapes.format(s) + " with dimension " + d + " being empty");
                }
            }
            int h = r == 1 ? 1 : s[s.length - 2];
            int w = s[s.length - 1];
            int planes = Shapes.product(s, 0, s.length - r);
            return new Planes(s, r, planes, s[s.length - r - 1], h, w);
        }

        int[] outShape(int oh, int ow) {
            int[] out = shape.clone();
            if (r == 2) {
                out[out.length - 2] = oh;
            }
            out[out.length - 1] = ow;
            return out;
        }
    }

    /** Sliding windows along one dim: PyTorch's {@code pooling_output_shape} and each window's [start, end). */
    private record Windows(int in, int kernel, int stride, int padding, int dilation, int out) {
        static Windows sliding(int in, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
            long numerator = (long) in + 2L * padding - (long) dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
            long out = Math.floorDiv(numerator, stride) + 1;
            if (ceilMode && (out - 1) * stride >= in + padding) {
                out--;
            }
            return new Windows(in, kernel, stride, padding, dilation, (int) Math.max(out, 0));
        }

        int start(int o) {
            return o * stride - padding;
        }

        /** The end for max pooling: the dilated window, cut at the input's end. */
        int end(int o) {
            return Math.min(start(o) + (kernel - 1) * dilation + 1, in);
        }
    }
}
