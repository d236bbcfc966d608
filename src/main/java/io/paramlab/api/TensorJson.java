package io.paramlab.api;

import io.paramlab.formats.StoredDtype;
import io.paramlab.model.StoredTensors;
import io.paramlab.nn.TensorData;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
                .addSerializer(TensorData.class, new Writer())
                .addSerializer(StoredTensors.Values.class, new StoredWriter());
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
                } else if (t.isBool()) {
                    gen.writeBoolean(t.bools()[offset]);
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

    /**
     * A stored state dict's tensor in its own dtype, never widened in storage: float32 as float32
     * values, float64, float16 and bfloat16 as the exact float64 value of each element, integers
     * as integers, bool as true/false.
     */
    static final class StoredWriter extends ValueSerializer<StoredTensors.Values> {
        @Override
        public void serialize(StoredTensors.Values t, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeStartObject();
            gen.writeName("shape");
            gen.writeArray(t.shape(), 0, t.shape().length);
            gen.writeName("dtype");
            gen.writeString(t.dtype().pytorchName());
            gen.writeName("data");
            writeNested(t, ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN), gen, 0, 0);
            gen.writeEndObject();
        }

        private static int writeNested(StoredTensors.Values t, ByteBuffer bytes, JsonGenerator gen, int dim, int offset) {
            int[] shape = t.shape();
            if (dim == shape.length) {
                StoredDtype dtype = t.dtype();
                switch (dtype) {
                    case FLOAT32 -> Writer.writeFloat(bytes.getFloat(offset * 4), gen);
                    case FLOAT64, FLOAT16, BFLOAT16 -> writeDouble(dtype.doubleAt(bytes, offset), gen);
                    case BOOL -> gen.writeBoolean(bytes.get(offset) != 0);
                    default -> gen.writeNumber(dtype.longAt(bytes, offset));
                }
                return offset + 1;
            }
            gen.writeStartArray();
            for (int i = 0; i < shape[dim]; i++) {
                offset = writeNested(t, bytes, gen, dim + 1, offset);
            }
            gen.writeEndArray();
            return offset;
        }

        private static void writeDouble(double v, JsonGenerator gen) {
            if (Double.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeString(Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            }
        }
    }

    static final class Reader extends ValueDeserializer<TensorData> {
        @Override
        public TensorData deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() == JsonToken.START_ARRAY) {
                Values values = new Values(0, false);
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
                        if (!"float32".equals(dtype) && !"int64".equals(dtype) && !"bool".equals(dtype)) {
                            fail(ctxt, "dtype: must be \"float32\", \"int64\" or \"bool\", got " + p.getText());
                        }
                    }
                    case "data" -> {
                        values = new Values(shape != null ? numel(shape) : 0, "int64".equals(dtype));
                        if (value == JsonToken.START_ARRAY) {
                            dataShape = readNested(p, ctxt, values, "data");
                        } else {
                            values.add(p, ctxt, "data", List.of());
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
                    values.add(p, ctxt, path, counts);   // the element's name is built only for an error
                    counts.set(counts.size() - 1, counts.get(counts.size() - 1) + 1);
                }
            }
        }

        private static int[] unknownDims(int n) {
            int[] dims = new int[n];
            Arrays.fill(dims, -1);
            return dims;
        }

        static String at(String path, List<Integer> counts) {
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
     *
     * <p>Every array is reserved in the body budget ({@link BodyBudget}) before it is allocated. A
     * shape stated before the data is allocated once, exactly, and filled in place; otherwise
     * values go into blocks (doubling up to {@link #MAX_BLOCK}, then that size: growing copies
     * nothing), copied once into the exact array at the end, so a parse holds at most twice its
     * values and one block. Growing by copying held up to 2.5 times the values, unbudgeted.
     */
    private static final class Values {
        private static final long EXACT_IN_FLOAT = 1L << 24;
        private static final int FIRST_BLOCK = 16;
        private static final int MAX_BLOCK = 1 << 16;
        private static final int MAX_VALUES = Integer.MAX_VALUE - 8;
        private List<float[]> fullFloats = new ArrayList<>();   // filled blocks, in float mode
        private List<long[]> fullLongs;                          // filled blocks, in long mode
        private float[] floats;          // the block being filled, in float mode
        private long[] longs;            // the block being filled, non-null only in long mode
        private boolean allIntegers = true;
        private boolean anyBool;           // a true or false was read
        private boolean allBools = true;   // every value was true or false
        private int inFull;              // values in the filled blocks
        private int pos;                 // values in the block being filled
        private long reserved;           // bytes of all blocks, reserved in the body budget

        /**
         * {@code expected}: the values a shape stated before the data needs, allocated at once when
         * the body can hold them (as longs when int64 was stated too).
         */
        Values(long expected, boolean int64) {
            boolean presized = expected > 0 && expected <= Math.min(BodyBudget.maxValues(), MAX_VALUES);
            if (presized && int64) {
                reserve(8 * expected);
                longs = new long[(int) expected];
                fullLongs = new ArrayList<>();
                fullFloats = null;
            } else if (presized) {
                reserve(4 * expected);
                floats = new float[(int) expected];
            } else {
                floats = new float[0];
            }
        }

        /** Reserves a block's bytes before it is allocated. */
        private void reserve(long bytes) {
            BodyBudget.reserve(bytes);
            reserved += bytes;
        }

        /** Adds the current value; {@code path} and {@code counts} name it ({@link Reader#at}) in an error. */
        void add(JsonParser p, DeserializationContext ctxt, String path, List<Integer> counts) {
            JsonToken token = p.currentToken();
            if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {   // a bool tensor's values, held as 1 and 0
                anyBool = true;
                if (longs != null) {
                    if (pos == longs.length) nextBlock(ctxt);
                    longs[pos++] = token == JsonToken.VALUE_TRUE ? 1 : 0;
                } else {
                    append(token == JsonToken.VALUE_TRUE ? 1f : 0f, ctxt);
                }
                return;
            }
            allBools = false;
            if (token == JsonToken.VALUE_NUMBER_INT && allIntegers) {
                long v = p.getLongValue();
                if (longs == null && Math.abs(v) > EXACT_IN_FLOAT) {
                    long[] all = longArray();
                    fullLongs = new ArrayList<>(List.of(all));
                    fullFloats = null;
                    floats = null;
                    longs = new long[0];
                    reserved = 8L * all.length;
                    inFull = all.length;
                    pos = 0;
                }
                if (longs != null) {
                    if (pos == longs.length) nextBlock(ctxt);
                    longs[pos++] = v;
                    return;
                }
                append(v, ctxt);
                return;
            }
            float value;
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                value = p.getFloatValue();
            } else if (token == JsonToken.VALUE_STRING) {
                Float special = nonFinite(p.getString());
                value = special != null ? special : Reader.fail(ctxt, Reader.at(path, counts) + ": expected a number or \"NaN\", \"Infinity\", \"-Infinity\", got \"" + p.getString() + "\"");
            } else {
                value = Reader.fail(ctxt, Reader.at(path, counts) + ": expected a number, got " + token);
            }
            allIntegers = false;
            if (longs != null) {
                float[] all = floatArray();
                fullFloats = new ArrayList<>(List.of(all));
                fullLongs = null;
                longs = null;
                floats = new float[0];
                reserved = 4L * all.length;
                inFull = all.length;
                pos = 0;
            }
            append(value, ctxt);
        }

        private void append(float value, DeserializationContext ctxt) {
            if (pos == floats.length) nextBlock(ctxt);
            floats[pos++] = value;
        }

        /** Keeps the filled block and starts the next: as large as all before it, up to MAX_BLOCK. */
        private void nextBlock(DeserializationContext ctxt) {
            if (longs != null) {
                if (longs.length > 0) fullLongs.add(longs);
            } else if (floats.length > 0) {
                fullFloats.add(floats);
            }
            inFull += pos;
            pos = 0;
            if (inFull >= MAX_VALUES) {
                Reader.fail(ctxt, "data has more values than a tensor can hold (" + MAX_VALUES + ")");
            }
            int n = Math.min(Math.min(MAX_BLOCK, MAX_VALUES - inFull), Math.max(FIRST_BLOCK, inFull));
            if (longs != null) {
                reserve(8L * n);
                longs = new long[n];
            } else {
                reserve(4L * n);
                floats = new float[n];
            }
        }

        int size() {
            return inFull + pos;
        }

        TensorData toTensor(int[] shape, String dtype, DeserializationContext ctxt, Reader reader) {
            if ("bool".equals(dtype) || (dtype == null && anyBool)) {
                if (!allBools) {
                    return Reader.fail(ctxt, "dtype bool takes true and false only");
                }
                float[] values = floatArray();
                boolean[] out = new boolean[values.length];
                for (int i = 0; i < values.length; i++) out[i] = values[i] != 0;
                return TensorData.ofBools(out, shape);
            }
            if (anyBool) {
                return Reader.fail(ctxt, "true and false make a bool tensor; dtype " + dtype + " takes numbers");
            }
            if ("int64".equals(dtype)) {
                if (!allIntegers) {
                    return Reader.fail(ctxt, "dtype int64 takes whole numbers only");
                }
                return TensorData.ofLongs(longArray(), shape);
            }
            return TensorData.ofFloats(floatArray(), shape);
        }

        /**
         * The values in one exact array: the block itself when it is the only one and full (a shape
         * stated first), else a copy reserved first, the blocks then given back.
         */
        private float[] floatArray() {
            int size = size();
            if (longs == null && fullFloats.isEmpty() && pos == floats.length) {
                return floats;
            }
            BodyBudget.reserve(4L * size);
            float[] out = new float[size];
            int at = 0;
            if (longs == null) {
                for (int b = 0; b < fullFloats.size(); b++) {
                    float[] block = fullFloats.set(b, null);   // dropped as it is copied
                    System.arraycopy(block, 0, out, at, block.length);
                    at += block.length;
                }
                System.arraycopy(floats, 0, out, at, pos);
            } else {
                for (int b = 0; b < fullLongs.size(); b++) {
                    long[] block = fullLongs.set(b, null);
                    for (long v : block) out[at++] = v;
                }
                for (int i = 0; i < pos; i++) out[at++] = longs[i];
            }
            release();
            return out;
        }

        /** The same as longs (an int64 tensor, or long mode's start). */
        private long[] longArray() {
            int size = size();
            if (longs != null && fullLongs.isEmpty() && pos == longs.length) {
                return longs;
            }
            BodyBudget.reserve(8L * size);
            long[] out = new long[size];
            int at = 0;
            if (longs != null) {
                for (int b = 0; b < fullLongs.size(); b++) {
                    long[] block = fullLongs.set(b, null);
                    System.arraycopy(block, 0, out, at, block.length);
                    at += block.length;
                }
                System.arraycopy(longs, 0, out, at, pos);
            } else {
                for (int b = 0; b < fullFloats.size(); b++) {
                    float[] block = fullFloats.set(b, null);
                    for (float v : block) out[at++] = (long) v;
                }
                for (int i = 0; i < pos; i++) out[at++] = (long) floats[i];
            }
            release();
            return out;
        }

        /** Gives the blocks' reservation back; the exact array stays reserved until the request ends. */
        private void release() {
            BodyBudget.free(reserved);
            reserved = 0;
        }
    }
}
