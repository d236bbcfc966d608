package io.paramlab.spec;

import io.paramlab.init.InitPolicy;
import io.paramlab.nn.TensorData;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Module node's own parameter or buffer: {@code name}, {@code shape}, and either an {@code init}
 * policy (default zeros) or, for a buffer, {@code data}; a buffer also has a {@code dtype}
 * and may be non-persistent. {@code initJson} and {@code dataJson} are kept for the echo.
 */
public record TensorSpec(String name, int[] shape, String dtype, InitPolicy init, JsonNode initJson, TensorData data,
                         JsonNode dataJson, boolean persistent) {

    static final List<String> DTYPES = List.of("float32", "int64", "bool");

    /** The elements it allocates, saturating. */
    long elements() {
        long n = 1;
        for (int d : shape) n = Sizes.multiply(n, d);
        return n;
    }

    /** The values a buffer starts with: its data, or its policy drawn now (an int64 buffer's policy draws in float, then truncates as {@code copy_} does). */
    TensorData fresh(io.paramlab.tensor.Generator generator) {
        if (data != null) {
            return data.copy();
        }
        float[] values = new float[(int) elements()];
        init.fill(values, shape, generator);
        if (dtype.equals("float32")) {
            return TensorData.ofFloats(values, shape);
        }
        if (dtype.equals("bool")) {   // a policy's values, as copy_ into a bool tensor: nonzero is true
            boolean[] bools = new boolean[values.length];
            for (int i = 0; i < bools.length; i++) bools[i] = values[i] != 0;
            return TensorData.ofBools(bools, shape);
        }
        long[] longs = new long[values.length];
        for (int i = 0; i < longs.length; i++) longs[i] = (long) values[i];
        return TensorData.ofLongs(longs, shape);
    }

    Map<String, Object> json(boolean buffer) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        List<Integer> dims = new ArrayList<>();
        for (int d : shape) dims.add(d);
        out.put("shape", dims);
        if (buffer) {
            out.put("dtype", dtype);
        }
        if (dataJson != null) {
            out.put("data", dataJson);
        } else {
            out.put("init", initJson);
        }
        if (buffer) {
            out.put("persistent", persistent);
        }
        return out;
    }

    /** The entries under {@code key} ({@code parameters} or {@code buffers}) of a Module node. */
    static List<TensorSpec> parseAll(JsonFields fields, String key, boolean buffers, List<FieldError> errors) {
        List<TensorSpec> out = new ArrayList<>();
        JsonNode list = fields.get(key);
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            fields.error(key, "must be a list of {\"name\", \"shape\", \"init\"} objects");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            TensorSpec t = parse(list.get(i), fields.path(key) + "[" + i + "]", buffers, errors);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    private static TensorSpec parse(JsonNode json, String path, boolean buffer, List<FieldError> errors) {
        if (json == null || !json.isObject()) {
            errors.add(new FieldError(path, "must be an object with \"name\" and \"shape\""));
            return null;
        }
        JsonFields f = new JsonFields(json, path, errors);
        f.rejectUnknown(buffer ? "a buffer" : "a parameter", buffer
                ? List.of("name", "shape", "dtype", "init", "data", "persistent") : List.of("name", "shape", "init"));
        JsonNode n = json.get("name");
        String name = null;
        if (n == null || !n.isString() || n.stringValue().isEmpty() || n.stringValue().contains(".")) {
            f.error("name", "is required: a non-empty name without \".\"" + (n == null ? "" : ", got " + JsonFields.describe(n)));
        } else {
            name = n.stringValue();
        }
        int[] shape = shape(f, json.get("shape"));
        String dtype = buffer ? f.optionalString("dtype", "float32", DTYPES) : "float32";
        boolean persistent = buffer && f.optionalBoolean("persistent", true);
        JsonNode initJson = json.get("init");
        JsonNode dataJson = buffer ? json.get("data") : null;
        InitPolicy init = null;
        TensorData data = null;
        if (dataJson != null && initJson != null) {
            f.error("data", "give either \"init\" or \"data\", not both");
        } else if (dataJson != null) {
            data = data(f, dataJson, dtype, shape);
        } else {
            if (initJson == null) {
                initJson = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "zeros");
            }
            init = InitSpecParser.policy(initJson, f.path("init"), errors);
            if (init instanceof InitPolicy.Default) {
                f.error("init", "\"default\" is a layer's own reset; a Module's own tensor names its policy");
            }
        }
        return name == null || shape == null ? null : new TensorSpec(name, shape, dtype, init, initJson, data, dataJson, persistent);
    }

    private static int[] shape(JsonFields f, JsonNode shape) {
        if (shape == null || !shape.isArray()) {
            f.error("shape", "is required: a list of sizes, e.g. [1, 64]");
            return null;
        }
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                f.error("shape", "must be a list of sizes (integers >= 0), got " + JsonFields.describe(shape));
                return null;
            }
            dims[i] = d.intValue();
        }
        return dims;
    }

    /** A buffer's values: a flat or nested list of numbers, or {@code {"shape", "dtype", "data"}}, of the declared shape's size. */
    private static TensorData data(JsonFields f, JsonNode json, String dtype, int[] shape) {
        JsonNode values = json.isObject() ? json.get("data") : json;
        List<JsonNode> flat = new ArrayList<>();
        if (values == null || !flatten(values, flat, 0)) {
            f.error("data", "must be numbers, a nested list of them, or {\"shape\", \"dtype\", \"data\"}");
            return null;
        }
        if (shape == null) {
            return null;
        }
        long n = 1;
        for (int d : shape) n = Sizes.multiply(n, d);
        if (flat.size() != n) {
            f.error("data", "has " + flat.size() + " values; shape " + TensorData.torchSize(shape) + " needs " + n);
            return null;
        }
        if (dtype.equals("bool")) {
            boolean[] bools = new boolean[flat.size()];
            for (int i = 0; i < bools.length; i++) bools[i] = flat.get(i).asDouble() != 0;
            return TensorData.ofBools(bools, shape);
        }
        if (dtype.equals("int64")) {
            long[] longs = new long[flat.size()];
            for (int i = 0; i < longs.length; i++) longs[i] = flat.get(i).asLong();
            return TensorData.ofLongs(longs, shape);
        }
        float[] floats = new float[flat.size()];
        for (int i = 0; i < floats.length; i++) floats[i] = (float) flat.get(i).asDouble();
        return TensorData.ofFloats(floats, shape);
    }

    private static boolean flatten(JsonNode node, List<JsonNode> out, int depth) {
        if (node.isNumber() || node.isBoolean()) {
            out.add(node.isBoolean() ? tools.jackson.databind.node.JsonNodeFactory.instance.numberNode(node.booleanValue() ? 1 : 0) : node);
            return true;
        }
        if (node.isArray() && depth < 64) {
            for (JsonNode item : node) {
                if (!flatten(item, out, depth + 1)) return false;
            }
            return true;
        }
        return false;
    }
}
