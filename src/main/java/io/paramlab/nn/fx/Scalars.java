package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

/**
 * Python's {@code operator} functions over the values of a graph: ints (Long) and floats
 * (Double) as Python computes them, tensors through the engine's broadcasting ops.
 */
final class Scalars {
    private Scalars() {
    }

    static Object add(Object a, Object b) {
        if (a instanceof Tensor || b instanceof Tensor) return TensorArithmetic.add(a, b);
        if (a instanceof Long x && b instanceof Long y) return Math.addExact(x, y);
        return number(a, "+", b) + number(b, "+", a);
    }

    static Object sub(Object a, Object b) {
        if (a instanceof Tensor || b instanceof Tensor) return TensorArithmetic.sub(a, b);
        if (a instanceof Long x && b instanceof Long y) return Math.subtractExact(x, y);
        return number(a, "-", b) - number(b, "-", a);
    }

    static Object mul(Object a, Object b) {
        if (a instanceof Tensor || b instanceof Tensor) return TensorArithmetic.mul(a, b);
        if (a instanceof Long x && b instanceof Long y) return Math.multiplyExact(x, y);
        return number(a, "*", b) * number(b, "*", a);
    }

    static Object truediv(Object a, Object b) {
        if (a instanceof Tensor || b instanceof Tensor) return TensorArithmetic.div(a, b);
        double d = number(b, "/", a);
        if (d == 0) {
            throw new ShapeException("division by zero");
        }
        return number(a, "/", b) / d;
    }

    /** Python's {@code //}: floor division, for ints (sizes) as fx traces use it. */
    static Object floordiv(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            if (y == 0) {
                throw new ShapeException("integer division or modulo by zero");
            }
            return Math.floorDiv(x, y);
        }
        double d = number(b, "//", a);
        if (d == 0) {
            throw new ShapeException("float floor division by zero");
        }
        return Math.floor(number(a, "//", b) / d);
    }

    static Object neg(Object a) {
        if (a instanceof Tensor) return TensorArithmetic.neg(a);
        if (a instanceof Long x) return Math.negateExact(x);
        if (a instanceof Double x) return -x;
        throw new ShapeException("bad operand type for unary -: '" + Module.describe(a) + "'");
    }

    private static double number(Object value, String operator, Object other) {
        if (value instanceof Long l) return l;
        if (value instanceof Double d) return d;
        if (value instanceof Boolean b) return b ? 1 : 0;
        throw new ShapeException("unsupported operand type(s) for " + operator + ": '" + Module.describe(value)
                + "' and '" + Module.describe(other) + "'");
    }
}
