package io.paramlab.tensor;

import java.util.Arrays;

/**
 * Elementwise ops with broadcasting, each with its gradient: tensor-tensor and tensor-scalar
 * {@code add sub mul div neg}, {@code exp sqrt pow}, the comparisons (giving bool tensors),
 * {@code masked_fill} and dtype conversion. float32 is the engine's number: an int64 or bool
 * operand meeting a float32 one (or a float scalar) is converted, as PyTorch promotes; two
 * int64 operands stay int64 for add, sub and mul. The gradient of a broadcast operand is summed
 * over the dims it was broadcast along.
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    /** The float32 kernels; one switch outside each loop, so every loop is a plain, vectorisable one. */
    private enum Kernel { ADD, SUB, MUL, DIV, NEG_DIV }

    @FunctionalInterface
    private interface LongOp {
        long apply(long x, long y);
    }

    @FunctionalInterface
    private interface Compare {
        boolean test(double x, double y);
    }

    // ---- tensor with tensor

    /** {@code a + b} */
    public static Tensor add(Tensor a, Tensor b) {
        if (integral(a, b)) {
            return longs(a, b, Long::sum);
        }
        Tensor x = toFloat(a);
        Tensor y = toFloat(b);
        int[] shape = Shapes.broadcast(x.shapeView(), y.shapeView());
        float[] out = apply(x, y, shape, Kernel.ADD);
        return Tensor.result(out, shape, g -> {
            // dx = g itself: the first operand takes g without a copy when it is an intermediate of the
            // same shape with no gradient yet (a residual add's branch); the second adds it (x + x: twice)
            boolean handedOver = x.requiresGrad() && Arrays.equals(x.shapeView(), shape) && x.adoptGrad(g);
            if (!handedOver) accumulate(x, g, shape);
            accumulate(y, g, shape);
        }, x, y);
    }

    /** {@code a - b} */
    public static Tensor sub(Tensor a, Tensor b) {
        if (integral(a, b)) {
            return longs(a, b, (p, q) -> p - q);
        }
        Tensor x = toFloat(a);
        Tensor y = toFloat(b);
        int[] shape = Shapes.broadcast(x.shapeView(), y.shapeView());
        float[] out = apply(x, y, shape, Kernel.SUB);
        return Tensor.result(out, shape, g -> {
            accumulate(x, g, shape);
            if (y.requiresGrad()) {
                float[] minus = Allocation.floats(g.length);
                for (int i = 0; i < g.length; i++) minus[i] = -g[i];
                accumulate(y, minus, shape);
            }
        }, x, y);
    }

    /** {@code a * b} */
    public static Tensor mul(Tensor a, Tensor b) {
        if (integral(a, b)) {
            return longs(a, b, (p, q) -> p * q);
        }
        Tensor x = toFloat(a);
        Tensor y = toFloat(b);
        int[] shape = Shapes.broadcast(x.shapeView(), y.shapeView());
        float[] out = apply(x, y, shape, Kernel.MUL);
        return Tensor.result(out, shape, g -> {
            if (x.requiresGrad()) accumulate(x, apply(g, shape, y, Kernel.MUL), shape);   // dx = g y
            if (y.requiresGrad()) accumulate(y, apply(g, shape, x, Kernel.MUL), shape);   // dy = g x
        }, x, y);
    }

    /** {@code a / b}, true division (int64 operands give float32, as torch.div). */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor x = toFloat(a);
        Tensor y = toFloat(b);
        int[] shape = Shapes.broadcast(x.shapeView(), y.shapeView());
        float[] out = apply(x, y, shape, Kernel.DIV);
        return Tensor.result(out, shape, g -> {
            if (x.requiresGrad()) accumulate(x, apply(g, shape, y, Kernel.DIV), shape);   // dx = g / y
            if (y.requiresGrad()) {                                                              // dy = -g out / y
                float[] q = apply(g, shape, out, shape, shape, Kernel.MUL);
                accumulate(y, apply(q, shape, y, Kernel.NEG_DIV), shape);
            }
        }, x, y);
    }

    // ---- tensor with scalar

    /** {@code a + s} for an int scalar: an int64 or bool tensor gives int64, as PyTorch. */
    public static Tensor add(Tensor a, long s) {
        return a.dtype() == Dtype.FLOAT32 ? add(a, (double) s) : longs(a, Tensor.ofLongs(new long[] {s}), Long::sum);
    }

    /** {@code a + s} for a float scalar: float32, whatever a's dtype. */
    public static Tensor add(Tensor a, double s) {
        Tensor x = toFloat(a);
        float v = (float) s;
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = in[i] + v;
        return Tensor.result(out, x.shapeView(), g -> accumulate(x, g, x.shapeView()), x);
    }

    /** {@code a - s} for an int scalar */
    public static Tensor sub(Tensor a, long s) {
        return add(a, -s);
    }

    /** {@code a - s} */
    public static Tensor sub(Tensor a, double s) {
        return add(a, -s);
    }

    /** {@code s - b} (torch.rsub) */
    public static Tensor sub(double s, Tensor b) {
        return add(neg(b), s);
    }

    /** {@code a * s} for an int scalar: an int64 or bool tensor gives int64. */
    public static Tensor mul(Tensor a, long s) {
        return a.dtype() == Dtype.FLOAT32 ? mul(a, (double) s) : longs(a, Tensor.ofLongs(new long[] {s}), (p, q) -> p * q);
    }

    /** {@code a * s} for a float scalar: float32. */
    public static Tensor mul(Tensor a, double s) {
        Tensor x = toFloat(a);
        float v = (float) s;
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = in[i] * v;
        return Tensor.result(out, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] += g[i] * v;
        }, x);
    }

    /** {@code a / s} */
    public static Tensor div(Tensor a, double s) {
        Tensor x = toFloat(a);
        float v = (float) s;
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = in[i] / v;
        return Tensor.result(out, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] += g[i] / v;
        }, x);
    }

    /** {@code s / b} (torch.reciprocal times s) */
    public static Tensor div(double s, Tensor b) {
        Tensor y = toFloat(b);
        float v = (float) s;
        float[] in = y.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = v / in[i];
        return Tensor.result(out, y.shapeView(), g -> {
            float[] dy = y.gradBuffer();
            for (int i = 0; i < g.length; i++) dy[i] -= g[i] * out[i] / in[i];
        }, y);
    }

    /** {@code -a} */
    public static Tensor neg(Tensor a) {
        if (a.dtype() == Dtype.INT64) {
            long[] in = a.longs();
            long[] out = Allocation.longs(in.length);
            for (int i = 0; i < in.length; i++) out[i] = -in[i];
            return Tensor.ofLongs(out, a.shapeView());
        }
        if (a.dtype() == Dtype.BOOL) {
            throw new ShapeException("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
                    + "mask, use the `~` or `logical_not()` operator instead.");
        }
        float[] in = a.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = -in[i];
        return Tensor.result(out, a.shapeView(), g -> {
            float[] dx = a.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] -= g[i];
        }, a);
    }

    /** {@code torch.exp} */
    public static Tensor exp(Tensor a) {
        Tensor x = toFloat(a);
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = (float) Math.exp(in[i]);
        return Tensor.result(out, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] += g[i] * out[i];
        }, x);
    }

    /** {@code torch.sqrt} */
    public static Tensor sqrt(Tensor a) {
        Tensor x = toFloat(a);
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = (float) Math.sqrt(in[i]);
        return Tensor.result(out, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) dx[i] += g[i] / (2 * out[i]);
        }, x);
    }

    /** {@code x ** exponent} for a scalar exponent. */
    public static Tensor pow(Tensor a, double exponent) {
        Tensor x = toFloat(a);
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        for (int i = 0; i < in.length; i++) out[i] = (float) Math.pow(in[i], exponent);
        return Tensor.result(out, x.shapeView(), g -> {
            float[] dx = x.gradBuffer();
            if (exponent == 0) return;
            for (int i = 0; i < g.length; i++) dx[i] += (float) (g[i] * exponent * Math.pow(in[i], exponent - 1));
        }, x);
    }

    // ---- comparisons and masks

    public static Tensor lt(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x < y); }
    public static Tensor le(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x <= y); }
    public static Tensor gt(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x > y); }
    public static Tensor ge(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x >= y); }
    public static Tensor eq(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x == y); }
    public static Tensor ne(Tensor a, Tensor b) { return compare(a, b, (x, y) -> x != y); }

    public static Tensor lt(Tensor a, double s) { return compare(a, s, (x, y) -> x < y); }
    public static Tensor le(Tensor a, double s) { return compare(a, s, (x, y) -> x <= y); }
    public static Tensor gt(Tensor a, double s) { return compare(a, s, (x, y) -> x > y); }
    public static Tensor ge(Tensor a, double s) { return compare(a, s, (x, y) -> x >= y); }
    public static Tensor eq(Tensor a, double s) { return compare(a, s, (x, y) -> x == y); }
    public static Tensor ne(Tensor a, double s) { return compare(a, s, (x, y) -> x != y); }

    /** {@code x.masked_fill(mask, value)}: value where the (broadcast) bool mask is true; no gradient through those. */
    public static Tensor maskedFill(Tensor input, Tensor mask, double value) {
        if (mask.dtype() != Dtype.BOOL) {
            throw new ShapeException("masked_fill_ only supports boolean masks, but got mask with dtype " + mask.dtype().torchName());
        }
        int[] shape = Shapes.broadcast(mask.shapeView(), input.shapeView());   // PyTorch names the mask "a"
        Tensor x = ShapeOps.expand(input, shape);
        int[] s = x.shapeView();
        boolean[] m = Arrays.equals(mask.shapeView(), s) ? mask.bools() : ShapeOps.expand(mask, s).bools();
        if (x.dtype() == Dtype.INT64) {
            long[] out = x.longs().clone();
            for (int i = 0; i < out.length; i++) if (m[i]) out[i] = (long) value;
            return Tensor.ofLongs(out, s);
        }
        if (x.dtype() == Dtype.BOOL) {
            boolean[] out = x.bools().clone();
            for (int i = 0; i < out.length; i++) if (m[i]) out[i] = value != 0;
            return Tensor.ofBools(out, s);
        }
        float[] in = x.data();
        float[] out = Allocation.floats(in.length);
        float v = (float) value;
        for (int i = 0; i < in.length; i++) out[i] = m[i] ? v : in[i];
        return Tensor.result(out, s, g -> {
            float[] dx = x.gradBuffer();
            for (int i = 0; i < g.length; i++) if (!m[i]) dx[i] += g[i];
        }, x);
    }

    /** {@code x.to(dtype)}: float32 to float32 is x itself; from float32 the gradient passes, to another dtype it stops. */
    public static Tensor to(Tensor x, Dtype dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        int[] s = x.shapeView();
        int n = x.numel();
        switch (dtype) {
            case FLOAT32: {
                float[] out = Allocation.floats(n);
                if (x.dtype() == Dtype.INT64) {
                    long[] in = x.longs();
                    for (int i = 0; i < n; i++) out[i] = in[i];
                } else {
                    boolean[] in = x.bools();
                    for (int i = 0; i < n; i++) out[i] = in[i] ? 1f : 0f;
                }
                return Tensor.of(out, s);
            }
            case INT64: {
                long[] out = Allocation.longs(n);
                if (x.dtype() == Dtype.FLOAT32) {
                    float[] in = x.data();
                    for (int i = 0; i < n; i++) out[i] = (long) in[i];   // toward zero, as PyTorch
                } else {
                    boolean[] in = x.bools();
                    for (int i = 0; i < n; i++) out[i] = in[i] ? 1 : 0;
                }
                return Tensor.ofLongs(out, s);
            }
            default: {
                boolean[] out = Allocation.bools(n);
                if (x.dtype() == Dtype.FLOAT32) {
                    float[] in = x.data();
                    for (int i = 0; i < n; i++) out[i] = in[i] != 0;
                } else {
                    long[] in = x.longs();
                    for (int i = 0; i < n; i++) out[i] = in[i] != 0;
                }
                return Tensor.ofBools(out, s);
            }
        }
    }

    // ---- helpers

    private static Tensor toFloat(Tensor t) {
        return to(t, Dtype.FLOAT32);
    }

    private static boolean integral(Tensor a, Tensor b) {
        return a.dtype() != Dtype.FLOAT32 && b.dtype() != Dtype.FLOAT32 && (a.dtype() == Dtype.INT64 || b.dtype() == Dtype.INT64);
    }

    /** t's float32 values read as broadcast to shape (t's own array when the shape is t's). */
    static float[] expanded(Tensor t, int[] shape) {
        return expanded(t.data(), t.shapeView(), shape);
    }

    private static float[] expanded(float[] values, int[] own, int[] shape) {
        if (Arrays.equals(own, shape)) {
            return values;
        }
        return Strides.gather(values, 0, shape, Strides.broadcast(own, shape));
    }

    private static float[] apply(Tensor x, Tensor y, int[] shape, Kernel kernel) {
        return apply(x.data(), x.shapeView(), y.data(), y.shapeView(), shape, kernel);
    }

    /** g (of shape) combined elementwise with t's values broadcast to shape. */
    private static float[] apply(float[] g, int[] shape, Tensor t, Kernel kernel) {
        return apply(g, shape, t.data(), t.shapeView(), shape, kernel);
    }

    private static float[] apply(float[] a, int[] as, float[] b, int[] bs, int[] shape, Kernel kernel) {
        int n = Shapes.numel(shape);
        float[] out = Allocation.floats(n);
        float[] x = expanded(a, as, shape);
        if (b.length == 1 && n > 0) {                   // the common scalar operand, without a copy
            float v = b[0];
            switch (kernel) {
                case ADD -> { for (int i = 0; i < n; i++) out[i] = x[i] + v; }
                case SUB -> { for (int i = 0; i < n; i++) out[i] = x[i] - v; }
                case MUL -> { for (int i = 0; i < n; i++) out[i] = x[i] * v; }
                case DIV -> { for (int i = 0; i < n; i++) out[i] = x[i] / v; }
                case NEG_DIV -> { for (int i = 0; i < n; i++) out[i] = -x[i] / v; }
            }
            return out;
        }
        float[] y = expanded(b, bs, shape);
        switch (kernel) {
            case ADD -> { for (int i = 0; i < n; i++) out[i] = x[i] + y[i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[i] = x[i] - y[i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[i] = x[i] * y[i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[i] = x[i] / y[i]; }
            case NEG_DIV -> { for (int i = 0; i < n; i++) out[i] = -x[i] / y[i]; }
        }
        return out;
    }

    /** Adds g (of the broadcast shape) into t's gradient, summed over the dims t was broadcast along. */
    private static void accumulate(Tensor t, float[] g, int[] shape) {
        if (!t.requiresGrad()) {
            return;
        }
        float[] dx = t.gradBuffer();
        if (Arrays.equals(t.shapeView(), shape)) {
            for (int i = 0; i < g.length; i++) dx[i] += g[i];
        } else {
            Strides.scatterAdd(g, shape, Strides.broadcast(t.shapeView(), shape), 0, dx);
        }
    }

    private static Tensor longs(Tensor a, Tensor b, LongOp op) {
        Tensor x = to(a, Dtype.INT64);
        Tensor y = to(b, Dtype.INT64);
        int[] shape = Shapes.broadcast(x.shapeView(), y.shapeView());
        int[] ia = Strides.offsets(shape, Strides.broadcast(x.shapeView(), shape), 0);
        int[] ib = Strides.offsets(shape, Strides.broadcast(y.shapeView(), shape), 0);
        long[] p = x.longs();
        long[] q = y.longs();
        long[] out = Allocation.longs(ia.length);
        for (int i = 0; i < out.length; i++) out[i] = op.apply(p[ia[i]], q[ib[i]]);
        return Tensor.ofLongs(out, shape);
    }

    private static Tensor compare(Tensor a, Tensor b, Compare op) {
        int[] shape = Shapes.broadcast(a.shapeView(), b.shapeView());
        int[] ia = Strides.offsets(shape, Strides.broadcast(a.shapeView(), shape), 0);
        int[] ib = Strides.offsets(shape, Strides.broadcast(b.shapeView(), shape), 0);
        boolean[] out = Allocation.bools(ia.length);
        for (int i = 0; i < out.length; i++) out[i] = op.test(valueAt(a, ia[i]), valueAt(b, ib[i]));
        return Tensor.ofBools(out, shape);
    }

    private static Tensor compare(Tensor a, double s, Compare op) {
        boolean[] out = Allocation.bools(a.numel());
        for (int i = 0; i < out.length; i++) out[i] = op.test(valueAt(a, i), s);
        return Tensor.ofBools(out, a.shapeView());
    }

    private static double valueAt(Tensor t, int i) {
        return switch (t.dtype()) {
            case FLOAT32 -> t.data()[i];
            case INT64 -> t.longs()[i];
            case BOOL -> t.bools()[i] ? 1 : 0;
        };
    }
}
