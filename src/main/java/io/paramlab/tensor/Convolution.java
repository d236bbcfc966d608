package io.paramlab.tensor;

import java.util.Arrays;

/**
 * {@code F.conv1d} and {@code F.conv2d} as one op over r spatial dims (r = 1 or 2, from the
 * weight's rank), with stride, padding (possibly asymmetric: "same"), dilation and groups, and its
 * gradient beside it. A 1-D convolution runs as a 2-D one of height 1: same memory layout.
 * Generic groups go through im2col and one sgemm per group and run of samples side by side (small
 * output planes make thin products otherwise; the gradients through the transposed products and
 * col2im); depthwise convolutions (one input channel per group, as mobilenet_v2's) run a direct
 * stencil over a zero-bordered copy of each plane, where im2col would copy k*k times the input for
 * a tiny product.
 */
public final class Convolution {
    private Convolution() {
    }

    /** PyTorch's padding "same": per spatial dim a total of d (k - 1), the left half rounded down, the rest on the right. */
    public static int[][] samePadding(int[] kernel, int[] dilation) {
        int[] low = new int[kernel.length];
        int[] high = new int[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            int total = dilation[i] * (kernel[i] - 1);
            low[i] = total / 2;
            high[i] = total - low[i];
        }
        return new int[][] {low, high};
    }

    /** Symmetric zero padding. */
    public static Tensor conv(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return conv(input, weight, bias, stride, padding, padding, dilation, groups);
    }

    /**
     * Zero padding of {@code padLow} before and {@code padHigh} after each spatial dim. The input is
     * [N, C, *spatial] or unbatched [C, *spatial]; the weight [out, C / groups, *kernel].
     */
    public static Tensor conv(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padLow, int[] padHigh,
                              int[] dilation, int groups) {
        int[] ws = weight.shapeView();
        int r = ws.length - 2;
        int[] xs = input.shapeView();
        if (xs.length != r + 1 && xs.length != r + 2) {
            throw new ShapeException("Expected " + (r + 1) + "D (unbatched) or " + (r + 2) + "D (batched) input to conv" + r
                    + "d, but got input of size: " + Shapes.format(xs));
        }
        if (xs.length == r + 1) {   // unbatched: a batch of one, and the batch dim dropped again
            int[] batched = new int[r + 2];
            batched[0] = 1;
            System.arraycopy(xs, 0, batched, 1, r + 1);
            Tensor out = conv(view(input, batched), weight, bias, stride, padLow, padHigh, dilation, groups);
            return view(out, Arrays.copyOfRange(out.shapeView(), 1, r + 2));
        }
        Geometry g = Geometry.of(xs, ws, stride, padLow, padHigh, dilation, groups);
        float[] x = input.data();
        float[] w = weight.data();
        float[] y = Allocation.floats((long) g.n * g.o * g.ohw());
        int tileRows = g.depthwise() ? 0 : g.tileRows();   // the backward tiles as the forward did
        if (g.depthwise()) {
            depthwise(g, x, w, y);
        } else if (tileRows > 0) {
            forwardTiled(g, tileRows, x, w, y);
        } else {
            int nb = g.samplesPerProduct();
            boolean direct = nb == 1 && g.pointwise();   // the input plane is its own im2col
            float[] col = direct ? null : Allocation.floats((long) g.kk() * nb * g.ohw());
            float[] out = nb == 1 ? null : Allocation.floats((long) g.og * nb * g.ohw());
            for (int n0 = 0; n0 < g.n; n0 += nb) {
                int k = Math.min(nb, g.n - n0);
                Deadline.check();   // a long convolution stops within one run of samples of its request's deadline
                for (int grp = 0; grp < g.groups; grp++) {
                    float[] b = x;
                    int bOff = (n0 * g.c + grp * g.cg) * g.h * g.w;
                    if (!direct) {
                        for (int s = 0; s < k; s++) im2col(g, x, ((n0 + s) * g.c + grp * g.cg) * g.h * g.w, col, s * g.ohw(), k * g.ohw());
                        b = col;
                        bOff = 0;
                    }
                    if (out == null) {
                        Blas.sgemm(false, false, g.og, g.ohw(), g.kk(), w, grp * g.og * g.kk(), b, bOff,
                                y, (n0 * g.o + grp * g.og) * g.ohw(), 0f);
                    } else {   // [og, k * ohw] for k samples at once, then each sample's rows to its place
                        Blas.sgemm(false, false, g.og, k * g.ohw(), g.kk(), w, grp * g.og * g.kk(), b, bOff, out, 0, 0f);
                        for (int oc = 0; oc < g.og; oc++) {
                            for (int s = 0; s < k; s++) {
                                System.arraycopy(out, (oc * k + s) * g.ohw(), y, ((n0 + s) * g.o + grp * g.og + oc) * g.ohw(), g.ohw());
                            }
                        }
                    }
                }
            }
        }
        if (bias != null) {
            float[] bv = bias.data();
            for (int n = 0; n < g.n; n++) {
                for (int oc = 0; oc < g.o; oc++) {
                    int base = (n * g.o + oc) * g.ohw();
                    float v = bv[oc];
                    for (int i = 0; i < g.ohw(); i++) y[base + i] += v;
                }
            }
        }
        int[] shape = xs.clone();
        shape[1] = g.o;
        if (r == 1) {
            shape[2] = g.ow;
        } else {
            shape[2] = g.oh;
            shape[3] = g.ow;
        }
        return Tensor.result(y, shape, grad -> {
            boolean dx = input.requiresGrad();
            boolean dw = weight.requiresGrad();
            if (g.depthwise()) {
                depthwiseBackward(g, x, w, grad, dx ? input.gradBuffer() : null, dw ? weight.gradBuffer() : null);
            } else if ((dx || dw) && tileRows > 0) {
                backwardTiled(g, tileRows, x, w, grad, dx ? input.gradBuffer() : null, dw ? weight.gradBuffer() : null);
            } else if (dx || dw) {
                backward(g, x, w, grad, dx ? input.gradBuffer() : null, dw ? weight.gradBuffer() : null);
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.gradBuffer();
                for (int n = 0; n < g.n; n++) {
                    for (int oc = 0; oc < g.o; oc++) {
                        int base = (n * g.o + oc) * g.ohw();
                        double sum = 0;
                        for (int i = 0; i < g.ohw(); i++) sum += grad[base + i];
                        db[oc] += (float) sum;
                    }
                }
            }
        }, input, weight, bias);
    }

    /**
     * Large output planes: im2col and the product a tile of output rows at a time (see {@link
     * Geometry#tileRows()}), so that the patch matrix the copy writes is still in the core's cache when
     * the sgemm reads it, instead of a whole plane's (up to k*k times the input) going out to memory
     * and back. The product of a tile writes its block of columns of the output plane in place.
     */
    private static void forwardTiled(Geometry g, int rows, float[] x, float[] w, float[] y) {
        float[] col = Allocation.floats((long) g.kk() * rows * g.ow);
        for (int n = 0; n < g.n; n++) {
            Deadline.check();
            for (int grp = 0; grp < g.groups; grp++) {
                int xOff = (n * g.c + grp * g.cg) * g.h * g.w;
                int yOff = (n * g.o + grp * g.og) * g.ohw();
                for (int oy0 = 0; oy0 < g.oh; oy0 += rows) {
                    int oy1 = Math.min(g.oh, oy0 + rows);
                    int cols = (oy1 - oy0) * g.ow;
                    im2col(g, x, xOff, col, 0, cols, oy0, oy1);
                    Blas.sgemm(false, false, g.og, cols, g.kk(), 1f, w, grp * g.og * g.kk(), g.kk(), col, 0, cols,
                            y, yOff + oy0 * g.ow, g.ohw(), 0f);
                }
            }
        }
    }

    /**
     * The backward of {@link #forwardTiled}, a tile of output rows at a time: dW += dY_tile col_tile^T
     * (the tiles' products summed into dW in order), dcol_tile = W^T dY_tile, added back by col2im.
     */
    private static void backwardTiled(Geometry g, int rows, float[] x, float[] w, float[] grad, float[] dx, float[] dw) {
        float[] col = dw == null ? null : Allocation.floats((long) g.kk() * rows * g.ow);
        float[] dcol = dx == null ? null : Allocation.floats((long) g.kk() * rows * g.ow);
        for (int n = 0; n < g.n; n++) {
            Deadline.check();
            for (int grp = 0; grp < g.groups; grp++) {
                int xOff = (n * g.c + grp * g.cg) * g.h * g.w;
                int wOff = grp * g.og * g.kk();
                int gyOff = (n * g.o + grp * g.og) * g.ohw();
                for (int oy0 = 0; oy0 < g.oh; oy0 += rows) {
                    int oy1 = Math.min(g.oh, oy0 + rows);
                    int cols = (oy1 - oy0) * g.ow;
                    if (dw != null) {
                        im2col(g, x, xOff, col, 0, cols, oy0, oy1);
                        Blas.sgemm(false, true, g.og, g.kk(), cols, 1f, grad, gyOff + oy0 * g.ow, g.ohw(), col, 0, cols,
                                dw, wOff, g.kk(), 1f);
                    }
                    if (dx != null) {
                        Blas.sgemm(true, false, g.kk(), cols, g.og, 1f, w, wOff, g.kk(), grad, gyOff + oy0 * g.ow, g.ohw(),
                                dcol, 0, cols, 0f);
                        col2im(g, dcol, 0, cols, dx, xOff, oy0, oy1);
                    }
                }
            }
        }
    }

    /**
     * dW += dY col^T and dcol = W^T dY, scattered back by col2im, for {@link Geometry#samplesPerProduct()}
     * samples and one group at a time (their dY rows gathered side by side, as the forward's products).
     */
    private static void backward(Geometry g, float[] x, float[] w, float[] grad, float[] dx, float[] dw) {
        int nb = g.samplesPerProduct();
        boolean direct = nb == 1 && g.pointwise();
        int cols = nb * g.ohw();
        float[] col = dw == null || direct ? null : Allocation.floats((long) g.kk() * cols);
        float[] dcol = dx == null || direct ? null : Allocation.floats((long) g.kk() * cols);
        float[] dy = nb == 1 ? null : Allocation.floats((long) g.og * cols);
        for (int n0 = 0; n0 < g.n; n0 += nb) {
            int k = Math.min(nb, g.n - n0);
            Deadline.check();
            for (int grp = 0; grp < g.groups; grp++) {
                int xOff = (n0 * g.c + grp * g.cg) * g.h * g.w;
                int wOff = grp * g.og * g.kk();
                float[] gy = grad;
                int gyOff = (n0 * g.o + grp * g.og) * g.ohw();
                if (dy != null) {
                    for (int oc = 0; oc < g.og; oc++) {
                        for (int s = 0; s < k; s++) {
                            System.arraycopy(grad, ((n0 + s) * g.o + grp * g.og + oc) * g.ohw(), dy, (oc * k + s) * g.ohw(), g.ohw());
                        }
                    }
                    gy = dy;
                    gyOff = 0;
                }
                if (dw != null) {
                    float[] b = x;
                    int bOff = xOff;
                    if (!direct) {
                        for (int s = 0; s < k; s++) im2col(g, x, ((n0 + s) * g.c + grp * g.cg) * g.h * g.w, col, s * g.ohw(), k * g.ohw());
                        b = col;
                        bOff = 0;
                    }
                    Blas.sgemm(false, true, g.og, g.kk(), k * g.ohw(), gy, gyOff, b, bOff, dw, wOff, 1f);
                }
                if (dx != null) {
                    if (direct) {
                        Blas.sgemm(true, false, g.kk(), g.ohw(), g.og, w, wOff, gy, gyOff, dx, xOff, 1f);
                    } else {
                        Blas.sgemm(true, false, g.kk(), k * g.ohw(), g.og, w, wOff, gy, gyOff, dcol, 0, 0f);
                        for (int s = 0; s < k; s++) col2im(g, dcol, s * g.ohw(), k * g.ohw(), dx, ((n0 + s) * g.c + grp * g.cg) * g.h * g.w);
                    }
                }
            }
        }
    }

    /**
     * Rows (c, i, j) of the group's input patches, columns the output positions (from {@code colOff},
     * rows {@code ld} apart: several samples side by side); zeros where the window is in the padding.
     */
    private static void im2col(Geometry g, float[] x, int xOff, float[] col, int colOff, int ld) {
        im2col(g, x, xOff, col, colOff, ld, 0, g.oh);
    }

    /** As {@link #im2col(Geometry, float[], int, float[], int, int)}, for the output rows oy0 to oy1 only (a tile). */
    private static void im2col(Geometry g, float[] x, int xOff, float[] col, int colOff, int ld, int oy0, int oy1) {
        if (g.sh == 1 && g.sw == 1 && g.ow == g.w) {
            im2colRowsContiguous(g, x, xOff, col, colOff, ld, oy0, oy1);
            return;
        }
        for (int c = 0; c < g.cg; c++) {
            for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++) {
                    int row = ((c * g.kh + i) * g.kw + j) * ld + colOff - oy0 * g.ow;
                    for (int oy = oy0; oy < oy1; oy++) {
                        int iy = oy * g.sh - g.ph + i * g.dh;
                        int dst = row + oy * g.ow;
                        if (iy < 0 || iy >= g.h) {
                            Arrays.fill(col, dst, dst + g.ow, 0f);
                            continue;
                        }
                        int src = xOff + (c * g.h + iy) * g.w;
                        int off = j * g.dw - g.pw;
                        int lo = firstInside(off, g.sw, g.ow);
                        int hi = Math.max(lo, lastInside(off, g.sw, g.w, g.ow));
                        if (lo > 0) Arrays.fill(col, dst, dst + lo, 0f);
                        if (hi < g.ow) Arrays.fill(col, dst + hi, dst + g.ow, 0f);
                        if (g.sw == 1) {
                            System.arraycopy(x, src + lo + off, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) col[dst + ox] = x[src + ox * g.sw + off];
                        }
                    }
                }
            }
        }
    }

    /**
     * im2col when output and input rows have the same width at stride 1 (a "same" convolution, as
     * resnet's 3x3 ones): a tap's rows of the patch matrix are then the input's rows shifted by the
     * tap's column offset, one contiguous copy for all its rows; the entries that wrapped around a
     * row's end (the padding columns) are zeroed after it, and the rows in the padding above and below.
     */
    private static void im2colRowsContiguous(Geometry g, float[] x, int xOff, float[] col, int colOff, int ld, int oy0, int oy1) {
        int ow = g.ow;
        for (int j = 0; j < g.kw; j++) {
            int off = j * g.dw - g.pw;
            int lo = firstInside(off, 1, ow);
            int hi = Math.max(lo, lastInside(off, 1, g.w, ow));
            for (int c = 0; c < g.cg; c++) {
                for (int i = 0; i < g.kh; i++) {
                    int row = ((c * g.kh + i) * g.kw + j) * ld + colOff - oy0 * ow;   // output row oy at row + oy * ow
                    int shift = i * g.dh - g.ph;                       // iy = oy + shift
                    int oyLo = Math.min(oy1, Math.max(oy0, -shift));
                    int oyHi = Math.max(oyLo, Math.min(oy1, g.h - shift));
                    Arrays.fill(col, row + oy0 * ow, row + oyLo * ow, 0f);
                    Arrays.fill(col, row + oyHi * ow, row + oy1 * ow, 0f);
                    if (oyLo == oyHi || lo == hi) {
                        Arrays.fill(col, row + oyLo * ow, row + oyHi * ow, 0f);
                        continue;
                    }
                    int first = oyLo * ow + lo;
                    int last = (oyHi - 1) * ow + hi;
                    System.arraycopy(x, xOff + (c * g.h + shift) * g.w + off + first, col, row + first, last - first);
                    for (int oy = oyLo; oy < oyHi; oy++) {
                        int at = row + oy * ow;
                        for (int ox = 0; ox < lo; ox++) col[at + ox] = 0f;
                        for (int ox = hi; ox < ow; ox++) col[at + ox] = 0f;
                    }
                }
            }
        }
    }

    /** The adjoint of im2col: each column entry added back to the input element it was copied from. */
    private static void col2im(Geometry g, float[] col, int colOff, int ld, float[] dx, int xOff) {
        col2im(g, col, colOff, ld, dx, xOff, 0, g.oh);
    }

    /** As {@link #col2im(Geometry, float[], int, int, float[], int)}, for the output rows oy0 to oy1 only (a tile). */
    private static void col2im(Geometry g, float[] col, int colOff, int ld, float[] dx, int xOff, int oy0, int oy1) {
        if (g.sh == 1 && g.sw == 1 && g.ow == g.w) {
            col2imRowsContiguous(g, col, colOff, ld, dx, xOff, oy0, oy1);
            return;
        }
        for (int c = 0; c < g.cg; c++) {
            for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++) {
                    int row = ((c * g.kh + i) * g.kw + j) * ld + colOff - oy0 * g.ow;
                    for (int oy = oy0; oy < oy1; oy++) {
                        int iy = oy * g.sh - g.ph + i * g.dh;
                        if (iy < 0 || iy >= g.h) {
                            continue;
                        }
                        int dst = row + oy * g.ow;
                        int src = xOff + (c * g.h + iy) * g.w;
                        int off = j * g.dw - g.pw;
                        int hi = lastInside(off, g.sw, g.w, g.ow);
                        for (int ox = firstInside(off, g.sw, g.ow); ox < hi; ox++) dx[src + ox * g.sw + off] += col[dst + ox];
                    }
                }
            }
        }
    }

    /** Floats per pass of col2im's vectorized add (16 KB: two buffers stay in L1). */
    private static final int CHUNK = 4096;

    /**
     * The adjoint of {@link #im2colRowsContiguous}: a tap's rows of dcol are added back to the input's
     * rows shifted by the tap's column offset in one long pass; the entries that map into the padding
     * columns (which would wrap onto the next row) are zeroed in dcol first, so they add nothing.
     * Each input element receives the same additions, in the same (c, i, j) order, as from {@link #col2im}.
     * JDK 17's C2 does not vectorize {@code dx[a + p] += col[b + p]} (two arrays at offsets that differ:
     * 0.29 ns an element against 0.08 at the same offset), so the add goes through two small buffers.
     */
    private static void col2imRowsContiguous(Geometry g, float[] col, int colOff, int ld, float[] dx, int xOff, int oy0, int oy1) {
        int ow = g.ow;
        float[] sum = new float[CHUNK];
        float[] add = new float[CHUNK];
        for (int c = 0; c < g.cg; c++) {
            for (int i = 0; i < g.kh; i++) {
                int shift = i * g.dh - g.ph;                       // iy = oy + shift
                int oyLo = Math.min(oy1, Math.max(oy0, -shift));
                int oyHi = Math.max(oyLo, Math.min(oy1, g.h - shift));
                for (int j = 0; j < g.kw; j++) {
                    int off = j * g.dw - g.pw;
                    int lo = firstInside(off, 1, ow);
                    int hi = Math.max(lo, lastInside(off, 1, g.w, ow));
                    if (oyLo == oyHi || lo == hi) {
                        continue;
                    }
                    int row = ((c * g.kh + i) * g.kw + j) * ld + colOff - oy0 * ow;   // output row oy at row + oy * ow
                    for (int oy = oyLo; oy < oyHi; oy++) {
                        int at = row + oy * ow;
                        for (int ox = 0; ox < lo; ox++) col[at + ox] = 0f;
                        for (int ox = hi; ox < ow; ox++) col[at + ox] = 0f;
                    }
                    int first = oyLo * ow + lo;
                    int len = (oyHi - 1) * ow + hi - first;
                    int src = row + first;
                    int dst = xOff + (c * g.h + shift) * g.w + off + first;
                    for (int p0 = 0; p0 < len; p0 += CHUNK) {   // through two buffers read at the same index: that loop vectorizes
                        int n = Math.min(CHUNK, len - p0);
                        System.arraycopy(dx, dst + p0, sum, 0, n);
                        System.arraycopy(col, src + p0, add, 0, n);
                        for (int p = 0; p < n; p++) sum[p] += add[p];
                        System.arraycopy(sum, 0, dx, dst + p0, n);
                    }
                }
            }
        }
    }

    /**
     * One input channel per group: each output channel is one small stencil over its input plane,
     * copied first into a zero-bordered plane so that the stencil needs no bounds checks; each output
     * sums its taps in (i, j) order in a register.
     */
    private static void depthwise(Geometry g, float[] x, float[] w, float[] y) {
        if (g.sh == 1 && g.sw == 1) {
            depthwiseUnitStride(g, x, w, y);
            return;
        }
        int mult = g.og;
        int padW = g.paddedW();
        float[] plane = Allocation.floats((long) g.paddedH() * padW);
        int kk = g.kh * g.kw;
        for (int n = 0; n < g.n; n++) {
            Deadline.check();
            for (int oc = 0; oc < g.o; oc++) {
                if (oc % mult == 0) {
                    pad(g, x, (n * g.c + oc / mult) * g.h * g.w, plane);
                }
                int yOff = (n * g.o + oc) * g.ohw();
                int wOff = oc * kk;
                for (int oy = 0; oy < g.oh; oy++) {
                    int dst = yOff + oy * g.ow;
                    int top = oy * g.sh * padW;
                    for (int ox = 0; ox < g.ow; ox++) {
                        int at = top + ox * g.sw;
                        float acc = 0f;
                        for (int i = 0; i < g.kh; i++) {
                            int row = at + i * g.dh * padW;
                            int wRow = wOff + i * g.kw;
                            for (int j = 0; j < g.kw; j++) acc += w[wRow + j] * plane[row + j * g.dw];
                        }
                        y[dst + ox] = acc;
                    }
                }
            }
        }
    }

    /**
     * Stride 1: the outputs computed on the padded plane's grid (rows paddedW apart; the columns past
     * ow are discarded), so that each tap is one long pass over the whole plane, {@code out[p] += w *
     * plane[p + tap]}, rather than many short rows. The tap's window is copied out first so that both
     * arrays are read at the same index, which the JIT vectorizes (JDK 17's does not with an offset
     * between them). Each output takes its taps in (i, j) order from zero: the same sums in the same
     * order as a register per output.
     */
    private static void depthwiseUnitStride(Geometry g, float[] x, float[] w, float[] y) {
        int mult = g.og;
        int padW = g.paddedW();
        float[] plane = Allocation.floats((long) g.paddedH() * padW);   // its border stays zero: pad writes the interior only
        int len = (g.oh - 1) * padW + g.ow;
        float[] grid = Allocation.floats(len);
        float[] window = Allocation.floats(len);
        int kk = g.kh * g.kw;
        for (int n = 0; n < g.n; n++) {
            Deadline.check();
            for (int oc = 0; oc < g.o; oc++) {
                if (oc % mult == 0) {
                    pad(g, x, (n * g.c + oc / mult) * g.h * g.w, plane);
                }
                int wOff = oc * kk;
                Arrays.fill(grid, 0f);
                for (int i = 0; i < g.kh; i++) {
                    for (int j = 0; j < g.kw; j++) {
                        float wv = w[wOff + i * g.kw + j];
                        System.arraycopy(plane, i * g.dh * padW + j * g.dw, window, 0, len);
                        for (int p = 0; p < len; p++) grid[p] += wv * window[p];
                    }
                }
                int yOff = (n * g.o + oc) * g.ohw();
                for (int oy = 0; oy < g.oh; oy++) System.arraycopy(grid, oy * padW, y, yOff + oy * g.ow, g.ow);
            }
        }
    }

    /**
     * The channel's plane inside a border of zeros (ph rows and pw columns before, as many as the
     * windows need after): writes the interior only, so the border of a fresh plane stays zero.
     */
    private static void pad(Geometry g, float[] x, int xOff, float[] plane) {
        int padW = g.paddedW();
        int rows = Math.min(g.h, g.paddedH() - g.ph);
        int cols = Math.min(g.w, padW - g.pw);
        for (int r = 0; r < rows; r++) System.arraycopy(x, xOff + r * g.w, plane, (r + g.ph) * padW + g.pw, cols);
    }

    /** dW: each tap's sum of dY times the padded input under it; dX: dY spread over a padded plane, its interior added back. */
    private static void depthwiseBackward(Geometry g, float[] x, float[] w, float[] grad, float[] dx, float[] dw) {
        if (g.sh == 1 && g.sw == 1) {
            depthwiseUnitStrideBackward(g, x, w, grad, dx, dw);
            return;
        }
        int mult = g.og;
        int padW = g.paddedW();
        float[] plane = dw == null ? null : Allocation.floats((long) g.paddedH() * padW);
        float[] dplane = dx == null ? null : Allocation.floats((long) g.paddedH() * padW);
        int kk = g.kh * g.kw;
        for (int n = 0; n < g.n; n++) {
            Deadline.check();
            for (int oc = 0; oc < g.o; oc++) {
                int xOff = (n * g.c + oc / mult) * g.h * g.w;
                int yOff = (n * g.o + oc) * g.ohw();
                int wOff = oc * kk;
                if (dw != null) {
                    if (oc % mult == 0) {
                        pad(g, x, xOff, plane);
                    }
                    for (int i = 0; i < g.kh; i++) {
                        for (int j = 0; j < g.kw; j++) {
                            int tap = i * g.dh * padW + j * g.dw;
                            double sum = 0;
                            for (int oy = 0; oy < g.oh; oy++) {
                                int src = yOff + oy * g.ow;
                                int at = oy * g.sh * padW + tap;
                                float s = 0;
                                for (int ox = 0; ox < g.ow; ox++) s += grad[src + ox] * plane[at + ox * g.sw];
                                sum += s;
                            }
                            dw[wOff + i * g.kw + j] += (float) sum;
                        }
                    }
                }
                if (dx != null) {
                    Arrays.fill(dplane, 0f);
                    for (int oy = 0; oy < g.oh; oy++) {
                        int src = yOff + oy * g.ow;
                        int top = oy * g.sh * padW;
                        for (int ox = 0; ox < g.ow; ox++) {
                            float gv = grad[src + ox];
                            int at = top + ox * g.sw;
                            for (int i = 0; i < g.kh; i++) {
                                int row = at + i * g.dh * padW;
                                int wRow = wOff + i * g.kw;
                                for (int j = 0; j < g.kw; j++) dplane[row + j * g.dw] += w[wRow + j] * gv;
                            }
                        }
                    }
                    int rows = Math.min(g.h, g.paddedH() - g.ph);
                    int cols = Math.min(g.w, padW - g.pw);
                    for (int r = 0; r < rows; r++) {
                        int from = (r + g.ph) * padW + g.pw;
                        int to = xOff + r * g.w;
                        for (int q = 0; q < cols; q++) dx[to + q] += dplane[from + q];
                    }
                }
            }
        }
    }

    /**
     * Stride 1, on the padded plane's grid as the forward, one channel at a time over the batch: dY
     * is laid on a grid of rows paddedW apart (its columns past ow stay zero); dW's taps accumulate
     * {@code dY[p] * plane[p + tap]} per grid position over the samples (float), summed over the
     * positions in float64 once per channel; dX's taps add {@code w * dY[p]} into the window at
     * {@code p + tap} of a zero-bordered plane whose interior is added back. Windows are copied out
     * and in, so that the loops read their arrays at the same index and vectorize.
     */
    private static void depthwiseUnitStrideBackward(Geometry g, float[] x, float[] w, float[] grad, float[] dx, float[] dw) {
        int mult = g.og;
        int padW = g.paddedW();
        int planeSize = g.paddedH() * padW;
        int len = (g.oh - 1) * padW + g.ow;
        int kk = g.kh * g.kw;
        float[] plane = dw == null ? null : Allocation.floats(planeSize);   // pad writes the interior only: the border stays zero
        float[][] taps = dw == null ? null : new float[kk][];   // one array per tap: the loop indexes it as its operands
        if (taps != null) {
            for (int t = 0; t < kk; t++) taps[t] = Allocation.floats(len);
        }
        float[] dplane = dx == null ? null : Allocation.floats(planeSize);
        float[] gy = Allocation.floats(len);                                 // the columns past ow stay zero
        float[] window = Allocation.floats(len);
        int rows = Math.min(g.h, g.paddedH() - g.ph);
        int cols = Math.min(g.w, padW - g.pw);
        for (int oc = 0; oc < g.o; oc++) {
            Deadline.check();
            int wOff = oc * kk;
            if (taps != null) {
                for (float[] acc : taps) Arrays.fill(acc, 0f);
            }
            for (int n = 0; n < g.n; n++) {
                int xOff = (n * g.c + oc / mult) * g.h * g.w;
                int yOff = (n * g.o + oc) * g.ohw();
                for (int oy = 0; oy < g.oh; oy++) System.arraycopy(grad, yOff + oy * g.ow, gy, oy * padW, g.ow);
                if (dw != null) {
                    pad(g, x, xOff, plane);
                    for (int t = 0; t < kk; t++) {
                        System.arraycopy(plane, t / g.kw * g.dh * padW + t % g.kw * g.dw, window, 0, len);
                        float[] acc = taps[t];
                        for (int p = 0; p < len; p++) acc[p] += gy[p] * window[p];
                    }
                }
                if (dx != null) {
                    Arrays.fill(dplane, 0f);
                    for (int t = 0; t < kk; t++) {
                        float wv = w[wOff + t];
                        int tap = t / g.kw * g.dh * padW + t % g.kw * g.dw;
                        System.arraycopy(dplane, tap, window, 0, len);
                        for (int p = 0; p < len; p++) window[p] += wv * gy[p];
                        System.arraycopy(window, 0, dplane, tap, len);
                    }
                    for (int r = 0; r < rows; r++) {
                        int from = (r + g.ph) * padW + g.pw;
                        int to = xOff + r * g.w;
                        for (int q = 0; q < cols; q++) dx[to + q] += dplane[from + q];
                    }
                }
            }
            if (dw != null) {
                for (int t = 0; t < kk; t++) dw[wOff + t] += (float) RunSums.sum(taps[t], 0, len);
            }
        }
    }

    /** The first ox with ox * stride + off >= 0. */
    private static int firstInside(int off, int stride, int ow) {
        return off >= 0 ? 0 : Math.min(ow, (-off + stride - 1) / stride);
    }

    /** One past the last ox with ox * stride + off < w. */
    private static int lastInside(int off, int stride, int w, int ow) {
        int limit = w - off;   // ox * stride < limit
        return limit <= 0 ? 0 : Math.min(ow, (limit + stride - 1) / stride);
    }

    /** The same values under another shape (unsqueeze/squeeze of the batch dim), gradient passed through. */
    static Tensor view(Tensor x, int[] shape) {
        return Tensor.result(x.data(), shape, g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] += g[i];
        }, x);
    }

    /** Floats of a tile's patch matrix (tiled im2col): 1 MB, to stay in a core's L2 cache beside the sgemm's packed blocks. */
    static final long TILE_FLOATS = 1L << 18;
    /** The narrowest tile, in output positions: thinner products run well below the sgemm's speed. */
    static final int MIN_TILE_COLUMNS = 256;
    /**
     * Patch matrices of one plane above this many floats (4 MB: resnet's conv1 and 3x3 layers at 56x56
     * for 224x224 inputs) are tiled; smaller ones (its 28x28 layers) measured no faster tiled.
     */
    static final long TILED_ABOVE = 1L << 20;
    /** {TILE_FLOATS, MIN_TILE_COLUMNS, TILED_ABOVE}, changed only by tests (small tiles on small inputs). */
    static volatile long[] tiling = {TILE_FLOATS, MIN_TILE_COLUMNS, TILED_ABOVE};

    /** Sizes of one convolution as a 2-D one (a 1-D one has h = kh = oh = 1). */
    private record Geometry(int n, int c, int h, int w, int o, int groups, int cg, int og, int kh, int kw, int sh, int sw,
                            int ph, int pw, int dh, int dw, int oh, int ow) {
        static Geometry of(int[] xs, int[] ws, int[] stride, int[] padLow, int[] padHigh, int[] dilation, int groups) {
            int r = ws.length - 2;
            int cg = ws[1];
            if (xs[1] != cg * groups) {
                throw new ShapeException("Given groups=" + groups + ", weight of size " + Shapes.format(ws) + ", expected input"
                        + Shapes.format(xs) + " to have " + cg * groups + " channels, but got " + xs[1] + " channels instead");
            }
            int[] in = new int[r];
            long[] out = new long[r];
            StringBuilder padded = new StringBuilder();
            StringBuilder kernel = new StringBuilder();
            boolean tooSmall = false;
            for (int d = 0; d < r; d++) {
                in[d] = xs[2 + d];
                long paddedSize = (long) in[d] + padLow[d] + padHigh[d];
                long dilated = (long) dilation[d] * (ws[2 + d] - 1) + 1;
                padded.append(d == 0 ? "" : " x ").append(paddedSize);
                kernel.append(d == 0 ? "" : " x ").append(dilated);
                tooSmall |= paddedSize < dilated;
                out[d] = tooSmall ? 0 : (paddedSize - dilated) / stride[d] + 1;
            }
            if (tooSmall) {
                throw new ShapeException("Calculated padded input size per channel: (" + padded + "). Kernel size: (" + kernel
                        + "). Kernel size can't be greater than actual input size");
            }
            // the output, and a padded plane, in long before any int of them is taken: past an int's range
            // they would wrap (a negative or a wrong size), so they are refused as any allocation over the budget is
            long[] outputSizes = new long[r + 2];
            outputSizes[0] = xs[0];
            outputSizes[1] = ws[0];
            for (int d = 0; d < r; d++) {
                outputSizes[2 + d] = out[d];
                long paddedSize = (long) in[d] + padLow[d] + padHigh[d];
                if (paddedSize > Integer.MAX_VALUE - 8) {   // past an int: the padded plane's arithmetic would wrap
                    Allocation.require(paddedSize);
                }
            }
            Allocation.require(Allocation.times(outputSizes));
            int last = r - 1;
            return new Geometry(xs[0], xs[1], r == 1 ? 1 : in[0], in[last], ws[0], groups, cg, ws[0] / groups,
                    r == 1 ? 1 : ws[2], ws[2 + last], r == 1 ? 1 : stride[0], stride[last], r == 1 ? 0 : padLow[0], padLow[last],
                    r == 1 ? 1 : dilation[0], dilation[last], r == 1 ? 1 : (int) out[0], (int) out[last]);
        }

        int ohw() {
            return oh * ow;
        }

        int kk() {
            return cg * kh * kw;
        }

        /** Rows of the input the windows reach, from the first padded row (at least the input's own with its low padding). */
        int paddedH() {
            return Math.max((oh - 1) * sh + (kh - 1) * dh + 1, ph + h);
        }

        /** Columns of the input the windows reach, from the first padded column. */
        int paddedW() {
            return Math.max((ow - 1) * sw + (kw - 1) * dw + 1, pw + w);
        }

        /**
         * How many samples one product takes: small output planes make thin products that run far
         * below the sgemm's speed, so samples go side by side until a product has ~1024 columns,
         * with their im2col bounded to ~4M floats (16 MB).
         */
        int samplesPerProduct() {
            long perSample = (long) kk() * ohw();
            int wide = Math.max(1, 1024 / Math.max(1, ohw()));
            int fits = (int) Math.max(1, (4L << 20) / Math.max(1, perSample));
            return Math.max(1, Math.min(n, Math.min(wide, fits)));
        }

        /**
         * Output rows per tile when im2col and the products go a tile of output rows at a time, else 0:
         * tiles when one sample's patch matrix is larger than a core's cache (resnet's early layers at
         * 224x224: up to 7 MB a plane) and one sample makes a product wide enough on its own. A tile's
         * patch matrix has ~TILE_FLOATS floats and at least ~MIN_TILE_COLUMNS columns.
         */
        int tileRows() {
            long[] t = tiling;
            if (pointwise() || samplesPerProduct() > 1 || (long) kk() * ohw() <= t[2]) {
                return 0;
            }
            long byCache = t[0] / Math.max(1, (long) kk() * ow);
            long byWidth = (t[1] + ow - 1) / Math.max(1, ow);
            long rows = Math.max(1, Math.max(byCache, byWidth));
            return rows >= oh ? 0 : (int) rows;
        }

        boolean depthwise() {
            return cg == 1 && groups == c && groups > 1;
        }

        /** A 1x1 kernel, stride 1, no padding: the input plane is its own im2col. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w;
        }
    }
}
