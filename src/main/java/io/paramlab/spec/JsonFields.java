package io.paramlab.spec;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads the fields of one JSON object, recording each problem with its full field path so one
 * answer can name every field at fault. Getters return a default after recording a problem.
 */
public final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;

    public JsonFields(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    public static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public String path(String field) {
        return join(path, field);
    }

    public boolean has(String field) {
        return node.has(field);
    }

    public JsonNode get(String field) {
        return node.get(field);
    }

    public void error(String field, String message) {
        errors.add(new FieldError(field == null ? path : path(field), message));
    }

    /** Records every field not in {@code known}, naming the known ones. */
    public void rejectUnknown(String what, Collection<String> known) {
        for (String field : node.propertyNames()) {
            if (!known.contains(field)) {
                error(field, "unknown field '" + field + "' for " + what + " (known: " + String.join(", ", known) + ")");
            }
        }
    }

    public int requiredInt(String field, int min) {
        if (!node.has(field) || node.get(field).isNull()) {
            error(field, "is required");
            return min;
        }
        return integer(field, min, min);
    }

    public int optionalInt(String field, int defaultValue, int min) {
        return node.has(field) ? integer(field, defaultValue, min) : defaultValue;
    }

    private int integer(String field, int fallback, int min) {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            error(field, "must be an integer, got " + describe(value));
            return fallback;
        }
        int n = value.intValue();
        if (n < min) {
            error(field, "must be at least " + min + ", got " + n);
            return fallback;
        }
        return n;
    }

    /** An optional whole number that fits in a long, such as a seed; null when absent. */
    public Long optionalLong(String field) {
        if (!node.has(field) || node.get(field).isNull()) {
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            error(field, "must be an integer, got " + describe(value));
            return null;
        }
        return value.longValue();
    }

    public double optionalNumber(String field, double defaultValue) {
        if (!node.has(field)) {
            return defaultValue;
        }
        JsonNode value = node.get(field);
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
            error(field, "must be a finite number, got " + describe(value));
            return defaultValue;
        }
        return value.doubleValue();
    }

    public boolean optionalBoolean(String field, boolean defaultValue) {
        if (!node.has(field)) {
            return defaultValue;
        }
        JsonNode value = node.get(field);
        if (!value.isBoolean()) {
            error(field, "must be true or false, got " + describe(value));
            return defaultValue;
        }
        return value.booleanValue();
    }

    public String optionalString(String field, String defaultValue, Collection<String> allowed) {
        if (!node.has(field)) {
            return defaultValue;
        }
        JsonNode value = node.get(field);
        if (!value.isString() || (!allowed.isEmpty() && !allowed.contains(value.stringValue()))) {
            error(field, "must be " + (allowed.isEmpty() ? "a string" : "one of " + quoted(allowed)) + ", got " + describe(value));
            return defaultValue;
        }
        return value.stringValue();
    }

    private static String quoted(Collection<String> values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add("\"" + v + "\""));
        return String.join(", ", out);
    }

    /** A short description of a JSON value for messages: its text, cut if long. */
    public static String describe(JsonNode value) {
        String text = value.isString() ? "\"" + value.stringValue() + "\"" : value.toString();
        return text.codePointCount(0, text.length()) > 40 ? text.substring(0, text.offsetByCodePoints(0, 37)) + "..." : text;
    }
}
