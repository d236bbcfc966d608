package io.paramlab.spec;

import io.paramlab.nn.IntTuple;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one layer node as its parser reads them, through its type's declaration: each
 * read names a declared {@link Param}, whose default and kind apply, so a layer type's arguments
 * and defaults are written once, and every field not declared is refused.
 */
public final class Args {
    private final JsonFields fields;
    private final String type;
    private final LayerSpec.Declaration declaration;   // null for an init policy's arguments, read by name and default
    private final List<String> known = new ArrayList<>(List.of("type", "name"));

    Args(JsonFields fields, String type) {
        this.fields = fields;
        this.type = type;
        this.declaration = LayerSpec.DECLARATIONS.get(type);
    }

    private Param param(String name) {
        for (Param p : declaration.params()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException(type + " reads " + name + ", which its declaration does not declare");
    }

    /** True when the field is absent, or null where null means the default (None). */
    private boolean absent(Param p) {
        JsonNode v = fields.get(p.name());
        if (v == null || (v.isNull() && (p.nullable() || p.required()))) {
            if (p.required()) {
                fields.error(p.name(), "is required");
            }
            return true;
        }
        return false;
    }

    /** Records a problem with this field. */
    public void error(String name, String message) {
        fields.error(name, message);
    }

    public boolean has(String name) {
        param(name);
        return fields.has(name) && !fields.get(name).isNull();
    }

    /** An int (POSITIVE_INT at least 1); the default when absent; null when absent with a None default. */
    public Integer integer(String name) {
        Param p = param(name);
        Integer fallback = p.required() || p.defaultValue() == null ? Integer.valueOf(1) : (Integer) p.defaultValue();
        if (absent(p)) {
            return p.required() ? fallback : (Integer) p.defaultValue();   // null: None
        }
        int min = p.kind() == Param.Kind.POSITIVE_INT ? 1 : Integer.MIN_VALUE;
        return fields.optionalInt(name, fallback, min);
    }

    public double number(String name) {
        Param p = param(name);
        if (absent(p)) {
            return p.defaultValue() == null ? 0 : ((Number) p.defaultValue()).doubleValue();
        }
        return fields.optionalNumber(name, 0);
    }

    /** A number that may be null (PyTorch's None) where the default is not. */
    public Double nullableNumber(String name) {
        Param p = param(name);
        if (fields.has(name) && fields.get(name).isNull()) {
            return null;
        }
        return absent(p) ? (Double) p.defaultValue() : fields.optionalNumber(name, 0);
    }

    /** A number as an Integer or a Double, as JSON wrote it (repr prints 2 and 2.0 differently). */
    public Number numberKeepingForm(String name) {
        Param p = param(name);
        if (absent(p)) {
            return (Number) p.defaultValue();
        }
        JsonNode v = fields.get(name);
        double d = fields.optionalNumber(name, 0);
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        return d;
    }

    public boolean bool(String name) {
        Param p = param(name);
        return absent(p) ? (Boolean) p.defaultValue() : fields.optionalBoolean(name, (Boolean) p.defaultValue());
    }

    public String choice(String name) {
        Param p = param(name);
        return absent(p) ? (String) p.defaultValue() : fields.optionalString(name, (String) p.defaultValue(), p.choices());
    }

    /** A positive int, or a non-empty list of them (LayerNorm's normalized_shape). */
    public int[] shape(String name) {
        Param p = param(name);
        if (absent(p)) {
            return new int[] {1};
        }
        JsonNode shape = fields.get(name);
        int[] dims = ints(shape, -1, 1, false);
        if (dims == null) {
            fields.error(name, "must be a positive integer or a non-empty list of them, got " + JsonFields.describe(shape));
            return new int[] {1};
        }
        return dims;
    }

    /** An int or a list of {@code r} ints, each at least {@code min} (1: SIZE, 0: PADDING); the default when absent (or None: null). */
    public IntTuple tuple(String name, int r) {
        Param p = param(name);
        if (absent(p)) {
            return p.required() ? IntTuple.of(1) : p.defaultValue() == null ? null : IntTuple.of((Integer) p.defaultValue());
        }
        int min = p.kind() == Param.Kind.SIZE ? 1 : 0;
        return read(name, r, min, false);
    }

    /** An adaptive pool's output_size: a positive int, or a list of r positive ints or nulls (keep that size). */
    public IntTuple outputSize(String name, int r) {
        Param p = param(name);
        if (absent(p)) {
            return IntTuple.of(1);
        }
        return read(name, r, 1, true);
    }

    /** A convolution's padding: a PADDING, or the string "same" or "valid" (returned as the String). */
    public Object convPadding(String name, int r) {
        Param p = param(name);
        if (absent(p)) {
            return IntTuple.of((Integer) p.defaultValue());
        }
        JsonNode v = fields.get(name);
        if (v.isString()) {
            String s = v.stringValue();
            if (!s.equals("same") && !s.equals("valid")) {
                fields.error(name, "Invalid padding string '" + s + "', should be one of {'same', 'valid'}");
                return IntTuple.of(0);
            }
            return s;
        }
        return read(name, r, 0, false);
    }

    private IntTuple read(String name, int r, int min, boolean nulls) {
        JsonNode v = fields.get(name);
        if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= min) {
            return IntTuple.of(v.intValue());
        }
        int[] values = v.isArray() && v.size() == r ? ints(v, r, min, nulls) : null;
        if (values == null) {
            String what = min == 1 ? "a positive integer" : "a non-negative integer";
            fields.error(name, "must be " + what + " or a list of " + r + " of them" + (nulls ? " (or null)" : "")
                    + ", got " + JsonFields.describe(v));
            return IntTuple.of(Math.max(min, 1));
        }
        return IntTuple.tuple(values);
    }

    /** The ints of {@code v} (an int or a non-empty array, of length r unless r < 0), or null when any is not one. */
    private static int[] ints(JsonNode v, int r, int min, boolean nulls) {
        if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= min && r < 0) {
            return new int[] {v.intValue()};
        }
        if (!v.isArray() || v.isEmpty() || (r >= 0 && v.size() != r)) {
            return null;
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode d = v.get(i);
            if (nulls && d.isNull()) {
                out[i] = IntTuple.NONE;
            } else if (d.isIntegralNumber() && d.canConvertToInt() && d.intValue() >= min) {
                out[i] = d.intValue();
            } else {
                return null;
            }
        }
        return out;
    }

    // --- an init policy's arguments, which have no declaration (yet): name and default at the read ---

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

    public String oneOf(String name, String defaultValue, List<String> allowed) {
        known.add(name);
        return fields.optionalString(name, defaultValue, allowed);
    }

    /** Records every field the declaration (or, for a policy, the reads) does not name. */
    void rejectUnknown() {
        if (declaration != null) {
            declaration.params().forEach(p -> known.add(p.name()));
        }
        fields.rejectUnknown(type, known);
    }
}
