package io.paramlab.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one layer node as its parser reads them: every name read is known, so the
 * unknown-field check follows from the parser itself and a layer type's arguments are declared once.
 */
public final class Args {
    private final JsonFields fields;
    private final String type;
    private final List<String> known = new ArrayList<>(List.of("type", "name"));

    Args(JsonFields fields, String type) {
        this.fields = fields;
        this.type = type;
    }

    public int requiredInt(String name, int min) {
        known.add(name);
        return fields.requiredInt(name, min);
    }

    public int optionalInt(String name, int defaultValue) {
        known.add(name);
        return fields.optionalInt(name, defaultValue, Integer.MIN_VALUE);
    }

    /** An int that may be null (PyTorch's None); absent gives {@code defaultValue}. */
    public Integer nullableInt(String name, Integer defaultValue) {
        known.add(name);
        if (fields.has(name) && fields.get(name).isNull()) {
            return null;
        }
        if (!fields.has(name)) {
            return defaultValue;
        }
        return fields.optionalInt(name, 0, Integer.MIN_VALUE);
    }

    public double number(String name, double defaultValue) {
        known.add(name);
        return fields.optionalNumber(name, defaultValue);
    }

    public double requiredNumber(String name) {
        if (!fields.has(name)) {
            fields.error(name, "is required");
        }
        return number(name, 0);
    }

    /** A number in [min, max], with PyTorch's message when it is not. */
    public double number(String name, double defaultValue, double min, double max, String message) {
        double value = number(name, defaultValue);
        if (value < min || value > max) {
            fields.error(name, message + value);
        }
        return value;
    }

    /** A number that may be null (PyTorch's None); absent gives the default. */
    public Double nullableNumber(String name, Double defaultValue) {
        known.add(name);
        if (fields.has(name) && fields.get(name).isNull()) {
            return null;
        }
        return fields.has(name) ? fields.optionalNumber(name, defaultValue == null ? 0 : defaultValue) : defaultValue;
    }

    public boolean bool(String name, boolean defaultValue) {
        known.add(name);
        return fields.optionalBoolean(name, defaultValue);
    }

    public String oneOf(String name, String defaultValue, List<String> allowed) {
        known.add(name);
        return fields.optionalString(name, defaultValue, allowed);
    }

    /** A positive int, or a non-empty list of them (LayerNorm's normalized_shape). */
    public int[] shape(String name) {
        known.add(name);
        var shape = fields.get(name);
        if (shape != null && shape.isIntegralNumber() && shape.canConvertToInt() && shape.intValue() >= 1) {
            return new int[] {shape.intValue()};
        }
        if (shape != null && shape.isArray() && !shape.isEmpty()) {
            int[] dims = new int[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                var d = shape.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1) {
                    dims = null;
                    break;
                }
                dims[i] = d.intValue();
            }
            if (dims != null) {
                return dims;
            }
        }
        fields.error(name, shape == null ? "is required"
                : "must be a positive integer or a non-empty list of them, got " + JsonFields.describe(shape));
        return new int[] {1};
    }

    /** Records every field the parser did not read. */
    void rejectUnknown() {
        fields.rejectUnknown(type, known);
    }
}
