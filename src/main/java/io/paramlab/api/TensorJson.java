package io.paramlab.api;

import io.paramlab.nn.TensorData;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one tensor JSON codec. Reads {@code {"shape", "dtype", "data"}} (data nested, or flat with
 * shape) or a bare nested array, token by token straight into a primitive array; writes data
 * nested row-major as {@code tensor.tolist()}. Non-finite values travel as "NaN", "Infinity", "-Infinity".
 */
public final class TensorJson {
    private TensorJson() {
    }

    /** The value of "NaN", "Infinity" or "-Infinity", the only strings a float travels as; null for any other. */
    static Float nonFinite(String text) {
        return switch (text) {
            case "NaN" -> Float.NaN;
            case "Infinity" -> Float.POSITIVE_INFINITY;
            case "-Infinity" -> Float.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    public static SimpleModule module() {
        return new SimpleModule("paramlab-tensors")
                .addDeserializer(TensorData.class, new Reader())
                .addSerializer(TensorData.class, new Writer());
    }

    static final class Writer extends ValueSerializer<TensorData> {
        @Override
        public void serialize(TensorData t, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeStartObject();
            gen.writeName("shape");
            if (t.shape() == null) {   // a lazy layer's parameter before its first forward: no shape, no data
                gen.writeNull();
                gen.writeName("dtype");
                gen.writeString(t.dtype());
                gen.writeName("initialized");
                gen.writeBoolean(false);
                gen.writeEndObject();
                return;
            }
            gen.writeArray(t.shape(), 0, t.shape().length);
            gen.writeName("dtype");
            gen.writeString(t.dtype());
            gen.writeName("data");
            writeNested(t, gen, 0, 0);
            gen.writeEndObject();
        }

        /** Writes the block of dimension {@code dim} starting at flat index {@code offset}; returns the next offset. */
        private static int writeNested(TensorData t, JsonGenerator gen, int dim, int offset) {
            int[] shape = t.shape();
            if (dim == shape.length) {
                if (t.isFloat()) {
                    writeFloat(t.floats()[offset], gen);
                } else {
                    gen.writeNumber(t.longs()[offset]);
                }
                return offset + 1;
            }
            gen.writeStartArray();
            for (int i = 0; i < shape[dim]; i++) {
                offset = writeNested(t, gen, dim + 1, offset);
            }
            gen.writeEndArray();
            return offset;
        }

        private static void writeFloat(float v, JsonGenerator gen) {
            if (Float.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeString(Float.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            }
        }
    }

    static final class Reader extends ValueDeserializer<TensorData> {
        @Override
        public TensorData deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() == JsonToken.START_ARRAY) {
                Values values = new Values();
                int[] shape = readNested(p, ctxt, values, "");
                return values.toTensor(shape, null, ctxt, this);
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return fail(ctxt, "a tensor is an object {\"shape\", \"dtype\", \"data\"} or a nested array of numbers");
            }
            int[] shape = null;
            String dtype = null;
            Values values = null;
            int[] dataShape = null;
            for (JsonToken token = p.nextToken(); token == JsonToken.PROPERTY_NAME; token = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "shape" -> shape = readShape(p, ctxt);
                    case "dtype" -> {
                        dtype = value == JsonToken.VALUE_STRING ? p.getString() : null;
                        if (!"float32".equals(dtype) && !"int64".equals(dtype)) {
                            fail(ctxt, "dtype: must be \"float32\" or \"int64\", got " + p.getText());
                        }
                    }
                    case "data" -> {
                        values = new Values();
                        if (value == JsonToken.START_ARRAY) {
                            dataShape = readNested(p, ctxt, values, "data");
                        } else {
                            values.add(p, ctxt, "data");
                            dataShape = new int[0];
                        }
                    }
                    default -> fail(ctxt, "unknown tensor field '" + field + "' (known: shape, dtype, data)");
                }
            }
            if (values == null) {
                return fail(ctxt, "data: is required");
            }
            if (shape == null) {
                shape = dataShape;
            } else if (!Arrays.equals(shape, dataShape) && !(dataShape.length == 1 && dataShape[0] == values.size())) {
                return fail(ctxt, "data has shape " + Arrays.toString(dataShape) + " but shape says " + Arrays.toString(shape));
            }
            long numel = numel(shape);
            if (numel < 0) {
                return fail(ctxt, "shape " + Arrays.toString(shape) + " has more elements than a tensor can hold ("
                        + Integer.MAX_VALUE + ")");
            }
            if (numel != values.size()) {
                return fail(ctxt, "shape " + Arrays.toString(shape) + " needs " + numel(shape) + " values, data has " + values.size());
            }
            return values.toTensor(shape, dtype, ctxt, this);
        }

        private static int[] readShape(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                fail(ctxt, "shape: must be a list of sizes, e.g. [2, 4]");
            }
            List<Integer> dims = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE) {
                    fail(ctxt, "shape[" + dims.size() + "]: must be a non-negative integer, got " + p.getText());
                }
                dims.add(p.getIntValue());
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Reads a nested array whose START_ARRAY is current; returns its shape, checking that it is rectangular. */
        private static int[] readNested(JsonParser p, DeserializationContext ctxt, Values values, String path) {
            int[] dims = null;                          // fixed by the first number or the first empty list
            List<Integer> counts = new ArrayList<>();   // elements seen so far in each open list
            for (JsonToken token = p.currentToken(); ; token = p.nextToken()) {
                if (token == JsonToken.START_ARRAY) {
                    if (dims != null && counts.size() == dims.length) {
                        fail(ctxt, at(path, counts) + ": expected a number, found a list (the data is not rectangular)");
                    }
                    counts.add(0);
                } else if (token == JsonToken.END_ARRAY) {
                    int depth = counts.size() - 1;
                    int n = counts.remove(depth);
                    if (dims == null) {
                        dims = unknownDims(depth + 1);
                    }
                    if (dims[depth] < 0) {
                        dims[depth] = n;
                    } else if (dims[depth] != n) {
                        fail(ctxt, at(path, counts) + ": has " + n + " elements, expected " + dims[depth] + " (the data is not rectangular)");
                    }
                    if (depth == 0) {
                        return dims;
                    }
                    counts.set(depth - 1, counts.get(depth - 1) + 1);
                } else {
                    if (dims == null) {
                        dims = unknownDims(counts.size());
                    }
                    if (counts.size() != dims.length) {
                        fail(ctxt, at(path, counts) + ": expected a list, found a number (the data is not rectangular)");
                    }
                    values.add(p, ctxt, at(path, counts));
                    counts.set(counts.size() - 1, counts.get(counts.size() - 1) + 1);
                }
            }
        }

        private static int[] unknownDims(int n) {
            int[] dims = new int[n];
            Arrays.fill(dims, -1);
            return dims;
        }

        private static String at(String path, List<Integer> counts) {
            StringBuilder out = new StringBuilder(path.isEmpty() ? "data" : path);
            for (int c : counts) out.append('[').append(c).append(']');
            return out.toString();
        }

        /** The element count, or -1 past what one Java array holds (a product can overflow even a long). */
        private static long numel(int[] shape) {
            long n = 1;
            for (int d : shape) {
                if (d == 0) return 0;
            }
            for (int d : shape) {
                n *= d;
                if (n > Integer.MAX_VALUE) return -1;
            }
            return n;
        }

        static <T> T fail(DeserializationContext ctxt, String message) {
            return ctxt.reportInputMismatch(TensorData.class, message);
        }
    }

    /**
     * Values as read, as float32 (4 bytes a value, the JSON is at least 2): an integer is exact in a
     * float up to 2^24, so longs are kept only once a larger integer comes while every value so
     * far was an integer (an int64 tensor that needs them). Reading in longs first cost twice the
     * memory for every bare "0" and let a body within max-body-size take the heap.
     */
    private static final class Values {
        private static final long EXACT_IN_FLOAT = 1L << 24;
        private float[] floats = new float[16];
        private long[] longs;            // non-null only in long mode
        private boolean allIntegers = true;
        private int size;

        void add(JsonParser p, DeserializationContext ctxt, String where) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT && allIntegers) {
                long v = p.getLongValue();
                if (longs == null && Math.abs(v) > EXACT_IN_FLOAT) {
                    longs = new long[floats.length];
                    for (int i = 0; i < size; i++) longs[i] = (long) floats[i];
                    floats = null;
                }
                if (longs != null) {
                    if (size == longs.length) longs = Arrays.copyOf(longs, grow(size));
                    longs[size++] = v;
                    return;
                }
                append(v);
                return;
            }
            float value;
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                value = p.getFloatValue();
            } else if (token == JsonToken.VALUE_STRING) {
                Float special = nonFinite(p.getString());
                value = special != null ? special : Reader.fail(ctxt, where + ": expected a number or \"NaN\", \"Infinity\", \"-Infinity\", got \"" + p.getString() + "\"");
            } else {
                value = Reader.fail(ctxt, where + ": expected a number, got " + token);
            }
            allIntegers = false;
            if (longs != null) {
                floats = new float[longs.length];
                for (int i = 0; i < size; i++) floats[i] = longs[i];
                longs = null;
            }
            append(value);
        }

        private void append(float value) {
            if (size == floats.length) floats = Arrays.copyOf(floats, grow(size));
            floats[size++] = value;
        }

        private static int grow(int size) {
            return size < 1 << 20 ? size * 2 : size + (size >> 1);
        }

        int size() {
            return size;
        }

        TensorData toTensor(int[] shape, String dtype, DeserializationContext ctxt, Reader reader) {
            if ("int64".equals(dtype)) {
                if (!allIntegers) {
                    return Reader.fail(ctxt, "dtype int64 takes whole numbers only");
                }
                if (longs != null) {
                    return TensorData.ofLongs(Arrays.copyOf(longs, size), shape);
                }
                long[] out = new long[size];
                for (int i = 0; i < size; i++) out[i] = (long) floats[i];
                return TensorData.ofLongs(out, shape);
            }
            if (longs != null) {
                float[] out = new float[size];
                for (int i = 0; i < size; i++) out[i] = longs[i];
                return TensorData.ofFloats(out, shape);
            }
            return TensorData.ofFloats(floats.length == size ? floats : Arrays.copyOf(floats, size), shape);
        }
    }
}
