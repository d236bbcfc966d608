package io.paramlab.nn;

import java.math.BigDecimal;

/** Python's {@code repr} of the values that appear in PyTorch's module reprs. */
public final class PyRepr {
    private PyRepr() {
    }

    static String bool(boolean value) {
        return value ? "True" : "False";
    }

    /** {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
    public static String floating(double value) {
        if (Double.isNaN(value)) return "nan";
        if (Double.isInfinite(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return (1 / value < 0) ? "-0.0" : "0.0";
        BigDecimal shortest = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();   // decimal exponent of the first digit
        String sign = value < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
        }
        String plain = shortest.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** An int as Python prints it, a float as {@link #floating}: a JSON 2 and 2.0 print differently. */
    public static String number(Number value) {
        return value instanceof Double || value instanceof Float ? floating(value.doubleValue()) : Long.toString(value.longValue());
    }

    static String string(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** {@code repr(tuple)}: {@code (8,)} or {@code (3, 4)}. */
    public static String tuple(int[] values) {
        if (values.length == 1) return "(" + values[0] + ",)";
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) out.append(i == 0 ? "" : ", ").append(values[i]);
        return out.append(")").toString();
    }
}
