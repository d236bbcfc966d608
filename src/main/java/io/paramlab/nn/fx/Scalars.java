package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Arithmetic;
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

    /** {@code operator.lt} and the other comparisons: bool tensors where a tensor takes part, a bool otherwise. */
    enum Comparison {
        LT("lt", "<"), LE("le", "<="), GT("gt", ">"), GE("ge", ">="), EQ("eq", "=="), NE("ne", "!=");

        private final String pythonName;
        private final String symbol;

        Comparison(String pythonName, String symbol) {
            this.pythonName = pythonName;
            this.symbol = symbol;
        }

        String pythonName() {
            return pythonName;
        }

        /** The comparison with its operands swapped: {@code 2 < x} is {@code x > 2}. */
        private Comparison flipped() {
            return switch (this) {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                case EQ, NE -> this;
            };
        }

        Object apply(Object a, Object b) {
            if (a instanceof Tensor x && b instanceof Tensor y) {
                return switch (this) {
                    case LT -> Arithmetic.lt(x, y);
                    case LE -> Arithmetic.le(x, y);
                    case GT -> Arithmetic.gt(x, y);
                    case GE -> Arithmetic.ge(x, y);
                    case EQ -> Arithmetic.eq(x, y);
                    case NE -> Arithmetic.ne(x, y);
                };
            }
            if (b instanceof Tensor) {
                return flipped().apply(b, a);
            }
            if (a instanceof Tensor x) {
                double s = number(b, symbol, a);
                return switch (this) {
                    case LT -> Arithmetic.lt(x, s);
                    case LE -> Arithmetic.le(x, s);
                    case GT -> Arithmetic.gt(x, s);
                    case GE -> Arithmetic.ge(x, s);
                    case EQ -> Arithmetic.eq(x, s);
                    case NE -> Arithmetic.ne(x, s);
                };
            }
            if (this == EQ || this == NE) {
                boolean equal = a instanceof Long || a instanceof Double ? b instanceof Long || b instanceof Double
                        && number(a, symbol, b) == number(b, symbol, a) : java.util.Objects.equals(a, b);
                return this == EQ ? equal : !equal;
            }
            double x = number(a, symbol, b);
            double y = number(b, symbol, a);
            return switch (this) {
                case LT -> x < y;
                case LE -> x <= y;
                case GT -> x > y;
                case GE -> x >= y;
                case EQ, NE -> throw new IllegalStateException();
            };
        }
    }

    private static double number(Object value, String operator, Object other) {
        if (value instanceof Long l) return l;
        if (value instanceof Double d) return d;
        if (value instanceof Boolean b) return b ? 1 : 0;
        throw new ShapeException("unsupported operand type(s) for " + operator + ": '" + Module.describe(value)
                + "' and '" + Module.describe(other) + "'");
    }
}
