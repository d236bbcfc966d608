package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

/** Python's operators where a tensor meets a tensor or a number: the engine's broadcasting ops, the scalar on either side. */
final class TensorArithmetic {
    private TensorArithmetic() {
    }

    static Object add(Object a, Object b) {
        if (a instanceof Tensor x && b instanceof Tensor y) return Arithmetic.add(x, y);
        return a instanceof Tensor x ? Arithmetic.add(x, scalar(b, "+", a)) : Arithmetic.add((Tensor) b, scalar(a, "+", b));
    }

    static Object sub(Object a, Object b) {
        if (a instanceof Tensor x && b instanceof Tensor y) return Arithmetic.sub(x, y);
        return a instanceof Tensor x ? Arithmetic.sub(x, scalar(b, "-", a)) : Arithmetic.sub(scalar(a, "-", b), (Tensor) b);
    }

    static Object mul(Object a, Object b) {
        if (a instanceof Tensor x && b instanceof Tensor y) return Arithmetic.mul(x, y);
        return a instanceof Tensor x ? Arithmetic.mul(x, scalar(b, "*", a)) : Arithmetic.mul((Tensor) b, scalar(a, "*", b));
    }

    static Object div(Object a, Object b) {
        if (a instanceof Tensor x && b instanceof Tensor y) return Arithmetic.div(x, y);
        return a instanceof Tensor x ? Arithmetic.div(x, scalar(b, "/", a)) : Arithmetic.div(scalar(a, "/", b), (Tensor) b);
    }

    static Object neg(Object a) {
        return Arithmetic.neg((Tensor) a);
    }

    private static double scalar(Object value, String operator, Object other) {
        if (value instanceof Long l) return l;
        if (value instanceof Double d) return d;
        if (value instanceof Boolean b) return b ? 1 : 0;
        throw new ShapeException("unsupported operand type(s) for " + operator + ": '" + Module.describe(other)
                + "' and '" + Module.describe(value) + "'");
    }
}
