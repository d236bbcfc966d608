package io.paramlab.optim;

import io.paramlab.nn.PyRepr;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reading the plain values a JSON decoder or a state dict gives (Integer, Long, Double,
 * Boolean, List, Map, null), keeping Python's int/float distinction: an integer stays a Long,
 * a fraction a Double, because PyTorch's dicts echo {@code 0} and {@code 0.0} differently.
 */
final class Values {
    private Values() {
    }

    static Number number(Object value, String field) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new OptimizerException(field, "must be a finite number, not " + PyRepr.floating(d));
            }
            return d;
        }
        throw new OptimizerException(field, "must be a number" + got(value));
    }

    static long integer(Object value, String field) {
        Number n = number(value, field);
        if (!(n instanceof Long)) {
            throw new OptimizerException(field, "must be an integer, not " + repr(n));
        }
        return n.longValue();
    }

    static boolean bool(Object value, String field) {
        if (!(value instanceof Boolean b)) {
            throw new OptimizerException(field, "must be true or false" + got(value));
        }
        return b;
    }

    static String string(Object value, String field) {
        if (!(value instanceof String s)) {
            throw new OptimizerException(field, "must be a string" + got(value));
        }
        return s;
    }

    static List<?> list(Object value, String field) {
        if (!(value instanceof List<?> l)) {
            throw new OptimizerException(field, "must be a list" + got(value));
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String field) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new OptimizerException(field, "must be an object" + got(value));
        }
        for (Object key : m.keySet()) {
            if (!(key instanceof String)) {
                throw new OptimizerException(field, "must have string keys, not " + key);
            }
        }
        return (Map<String, Object>) m;
    }

    static void rejectUnknown(Map<String, ?> map, Collection<String> known, String prefix, String what) {
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw new OptimizerException(field(prefix, key), "is not an option of " + what
                        + " (known: " + String.join(", ", known) + ")");
            }
        }
    }

    static String field(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** Python's {@code repr} of a number, as PyTorch's messages format it ({@code -1.0}, {@code 1e-08}, {@code 3}). */
    static String repr(Number value) {
        return value instanceof Long ? value.toString() : PyRepr.floating(value.doubleValue());
    }

    private static String got(Object value) {
        return value == null ? ", not null" : ", not " + value;
    }
}
