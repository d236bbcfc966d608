package io.paramlab.formats;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Write then read, bit for bit, in both formats, tied and copies, float32, int64 and bool. */
class RoundTripTest {
    static final long MAX = 1L << 30;

    /** A tied net: 2.weight and 4.weight (and their biases) on one array, odd floats, an int64 buffer. */
    static Map<String, TensorData> tiedStateDict(long seed) {
        Random r = new Random(seed);
        float[] w0 = floats(r, 32);
        w0[0] = -0.0f;
        w0[1] = Float.intBitsToFloat(0x7fc00123); // a NaN with a payload
        w0[2] = Float.MIN_VALUE;
        w0[3] = Float.NEGATIVE_INFINITY;
        float[] shared = floats(r, 64);
        float[] sharedBias = floats(r, 8);
        Map<String, TensorData> sd = new LinkedHashMap<>();
        sd.put("0.weight", TensorData.ofFloats(w0, 8, 4));
        sd.put("0.bias", TensorData.ofFloats(floats(r, 8), 8));
        sd.put("2.weight", TensorData.ofFloats(shared, 8, 8));
        sd.put("2.bias", TensorData.ofFloats(sharedBias, 8));
        sd.put("3.num_batches_tracked", TensorData.ofLongs(new long[]{Long.MIN_VALUE + 7}));
        sd.put("4.weight", TensorData.ofFloats(shared, 8, 8));
        sd.put("4.bias", TensorData.ofFloats(sharedBias, 8));
        sd.put("5.ids", TensorData.ofLongs(new long[]{1, -2, 3L << 40, 0}, 2, 2));
        sd.put("6.empty", TensorData.ofFloats(new float[0], 0, 3));
        return sd;
    }

    static float[] floats(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    static void assertBitwise(Map<String, TensorData> expected, Map<String, TensorData> actual) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((k, e) -> {
            TensorData a = actual.get(k);
            assertThat(a.shape()).as(k).containsExactly(e.shape());
            assertThat(a.dtype()).as(k).isEqualTo(e.dtype());
            if (e.isFloat()) {
                for (int i = 0; i < e.floats().length; i++) {
                    assertThat(Float.floatToRawIntBits(a.floats()[i])).as(k + "[" + i + "]")
                            .isEqualTo(Float.floatToRawIntBits(e.floats()[i]));
                }
            } else if (e.isBool()) {
                assertThat(a.bools()).as(k).containsExactly(e.bools());
            } else {
                assertThat(a.longs()).as(k).containsExactly(e.longs());
            }
        });
    }

    /** A float32, a bool mask past one write buffer (70,007 elements) tied under two keys, an int64 and a small bool. */
    static Map<String, TensorData> maskedStateDict() {
        boolean[] mask = new boolean[70_007];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 3 == 0 || i == mask.length - 1;
        }
        Map<String, TensorData> sd = new LinkedHashMap<>();
        sd.put("w", TensorData.ofFloats(new float[] {1.5f, -0.0f}, 2));
        sd.put("mask", TensorData.ofBools(mask, 7, 10_001));
        sd.put("ids", TensorData.ofLongs(new long[] {3L << 40}, 1));
        sd.put("causal", TensorData.ofBools(new boolean[] {false, true, false, false}, 2, 2));
        sd.put("mask_again", TensorData.ofBools(mask, 7, 10_001));
        return sd;
    }

    /** torch.save's strided views of one bool storage (scripts/make_bool_buffer_files.py): gathered as torch reads them. */
    @Test
    void boolViewsOfOneStorageAreGathered() throws IOException {
        byte[] file;
        try (java.io.InputStream in = RoundTripTest.class.getResourceAsStream("/boolbuf/masked_views.pt")) {
            file = in.readAllBytes();
        }
        Map<String, TensorData> views = TorchSave.read(new ByteArrayInputStream(file), null, MAX).stateDict();
        // masked.json's "views": mask.t(), mask[1], mask[:, 1:] of the causal mask triu(1)
        assertThat(views.get("t").shape()).containsExactly(3, 3);
        assertThat(views.get("t").bools()).containsExactly(false, false, false, true, false, false, true, true, false);
        assertThat(views.get("row").shape()).containsExactly(3);
        assertThat(views.get("row").bools()).containsExactly(false, false, true);
        assertThat(views.get("cols").shape()).containsExactly(3, 2);
        assertThat(views.get("cols").bools()).containsExactly(true, true, false, true, false, false);
    }

    /** Bool as torch writes it: one byte, 0 or 1, per element; BOOL in safetensors (last in save_model's layout), BoolStorage in torch.save. */
    @Test
    void boolTensorsRoundTripAsOneBytePerElement() throws IOException {
        Map<String, TensorData> sd = maskedStateDict();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, sd, false);
        byte[] file = out.toByteArray();
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).contains("\"mask_again\":\"mask\"").contains("\"causal\":{\"dtype\":\"BOOL\",\"shape\":[2,2],\"data_offsets\":[16,20]}")
                .contains("\"mask\":{\"dtype\":\"BOOL\",\"shape\":[7,10001],\"data_offsets\":[20,70027]}");
        assertThat(file.length - 8 - n).isEqualTo(8 + 8 + 4 + 70_007);
        assertThat(Arrays.copyOfRange(file, (int) (8 + n + 16), (int) (8 + n + 24))).containsExactly(0, 1, 0, 0, 1, 0, 0, 1);
        Map<String, TensorData> resolved = SafeTensors.read(new ByteArrayInputStream(file), MAX).resolveTied(List.copyOf(sd.keySet()));
        assertBitwise(sd, resolved);
        assertThat(resolved.get("mask_again").bools()).isSameAs(resolved.get("mask").bools());

        out.reset();
        SafeTensors.write(out, sd, true);
        assertBitwise(sd, SafeTensors.read(new ByteArrayInputStream(out.toByteArray()), MAX).resolveTied(List.copyOf(sd.keySet())));

        out.reset();
        TorchSave.write(out, sd, Map.of("", Map.of("version", 1)));
        TorchSave.Loaded loaded = TorchSave.read(new ByteArrayInputStream(out.toByteArray()), null, MAX);
        assertBitwise(sd, loaded.stateDict());
        assertThat(loaded.stateDict().get("mask_again").bools()).isSameAs(loaded.stateDict().get("mask").bools());
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1)).contains("BoolStorage");
    }

    @Test
    void safetensorsTiedFormWritesEachStorageOnceAndResolvesBack() throws IOException {
        Map<String, TensorData> sd = tiedStateDict(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, sd, false);
        byte[] file = out.toByteArray();
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\",\"4.bias\":\"2.bias\",\"4.weight\":\"2.weight\"}");
        // I64 first, then F32, each by name: save_model's layout
        assertThat(header.indexOf("\"3.num_batches_tracked\"")).isLessThan(header.indexOf("\"0.bias\""));
        SafeTensors.Loaded loaded = SafeTensors.read(new ByteArrayInputStream(file), MAX);
        assertThat(loaded.tensors()).doesNotContainKeys("4.weight", "4.bias");
        Map<String, TensorData> resolved = loaded.resolveTied(List.copyOf(sd.keySet()));
        assertBitwise(sd, resolved);
        assertThat(resolved.get("4.weight")).isSameAs(resolved.get("2.weight"));
    }

    @Test
    void safetensorsCopiesWritesEveryKey() throws IOException {
        Map<String, TensorData> sd = tiedStateDict(2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, sd, true);
        SafeTensors.Loaded loaded = SafeTensors.read(new ByteArrayInputStream(out.toByteArray()), MAX);
        assertThat(loaded.metadata()).containsExactly(Map.entry("format", "pt"));
        Map<String, TensorData> inModelOrder = loaded.resolveTied(List.copyOf(sd.keySet()));
        assertBitwise(sd, inModelOrder);
        assertThat(inModelOrder.get("4.weight").floats()).isNotSameAs(inModelOrder.get("2.weight").floats());
    }

    @Test
    void torchSaveKeepsTiesOrderAndMetadata() throws IOException {
        Map<String, TensorData> sd = tiedStateDict(3);
        Map<String, Map<String, Object>> metadata = new LinkedHashMap<>();
        metadata.put("", Map.of("version", 1));
        metadata.put("3", Map.of("version", 2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TorchSave.write(out, sd, metadata);
        TorchSave.Loaded loaded = TorchSave.read(new ByteArrayInputStream(out.toByteArray()), null, MAX);
        assertBitwise(sd, loaded.stateDict());
        assertThat(loaded.stateDict().get("4.weight").floats()).isSameAs(loaded.stateDict().get("2.weight").floats());
        assertThat(loaded.stateDict().get("4.bias").floats()).isSameAs(loaded.stateDict().get("2.bias").floats());
        assertThat(loaded.hasMetadata()).isTrue();
        assertThat(loaded.metadata().get("3")).containsEntry("version", 2L);

        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        TorchSave.write(plain, sd, null);
        TorchSave.Loaded noMetadata = TorchSave.read(new ByteArrayInputStream(plain.toByteArray()), null, MAX);
        assertThat(noMetadata.hasMetadata()).isFalse();
        assertBitwise(sd, noMetadata.stateDict());
    }

    @Test
    void torchSaveWritesTheSameBytesForTheSameDict() throws IOException {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TorchSave.write(a, tiedStateDict(4), Map.of("", Map.of("version", 1)));
        TorchSave.write(b, tiedStateDict(4), Map.of("", Map.of("version", 1)));
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
    }

    /** Conversions as copy_() makes them: F64 rounds to nearest even, F16/BF16 widen exactly, I32 widens. */
    @Test
    void otherDtypesConvertAsCopyDoes() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 * 3 + 2 * 4 + 2 * 2 + 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(1 + 0x1p-24).putDouble(1 + 3 * 0x1p-24).putDouble(1e300);          // F64
        data.putShort((short) 0x0001).putShort((short) 0x7c00).putShort((short) 0xfc00).putShort((short) 0x3555); // F16
        data.putShort((short) 0x3f80).putShort((short) 0xc049);                             // BF16
        data.putInt(-5).putInt(Integer.MAX_VALUE);                                          // I32
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[36,44]}}";
        SafeTensors.Loaded loaded = SafeTensors.read(new ByteArrayInputStream(file(header, data.array())), MAX);
        assertThat(loaded.tensors().get("d").floats()).containsExactly(1f, 1 + 0x1p-22f, Float.POSITIVE_INFINITY);
        assertThat(loaded.tensors().get("h").floats()).containsExactly(0x1p-24f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 0.333251953125f);
        assertThat(loaded.tensors().get("b").floats()).containsExactly(1f, -3.140625f);
        assertThat(loaded.tensors().get("i").longs()).containsExactly(-5L, Integer.MAX_VALUE);
    }

    @Test
    void refusesWhatItCannotLoad() {
        String u8 = "{\"m\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        assertRule("unsupported-dtype", file(u8, new byte[2]), "U8");
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertRule("invalid-offsets", file(gap, new byte[8]), "'a'");
        String noShape = "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}";
        assertRule("invalid-header", file(noShape, new byte[4]), "shape");
        assertRule("invalid-header-start", file("[1]", new byte[0]), "{");
        String huge = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}";
        assertRule("too-large", file(huge, new byte[0]), "limit");
    }

    private static void assertRule(String rule, byte[] file, String detail) {
        assertThatThrownBy(() -> SafeTensors.read(new ByteArrayInputStream(file), MAX))
                .isInstanceOf(FormatException.class).hasMessageContaining(detail)
                .satisfies(e -> assertThat(((FormatException) e).rule()).isEqualTo(rule));
    }

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    /** 25M parameters go out through a reused buffer: writing allocates a few hundred KB, not the file's 100 MB. */
    @Test
    void bigDictsStreamOut() throws IOException {
        Map<String, TensorData> sd = new LinkedHashMap<>();
        sd.put("w", TensorData.ofFloats(new float[25_000_000], 5000, 5000));
        sd.put("tied", sd.get("w"));
        sd.put("b", TensorData.ofFloats(new float[5000], 5000));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int format = 0; format < 2; format++) {
            CountingSink sink = new CountingSink();
            long before = threads.getCurrentThreadAllocatedBytes();
            if (format == 0) {
                SafeTensors.write(sink, sd, false);
            } else {
                TorchSave.write(sink, sd, null);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink.count).isGreaterThan(100_000_000L).isLessThan(100_100_000L);
            assertThat(allocated).as("bytes allocated while writing format " + format).isLessThan(4_000_000L);
        }
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
