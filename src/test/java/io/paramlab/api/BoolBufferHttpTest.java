package io.paramlab.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A persistent bool buffer (a causal mask, {@code register_buffer("mask", m)}) end to end, in a
 * service of its own on a data folder: the spec is taken, the mask is in the state dict and goes
 * through JSON, safetensors ({@code BOOL}) and torch.save ({@code BoolStorage}, one byte per
 * element) both ways; files torch and safetensors made (src/test/resources/boolbuf, by
 * scripts/make_bool_buffer_files.py) load strictly and export back with the same tensor bytes;
 * checkpoints, diffs and stored state dicts carry it; and a restart on the same folder keeps it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BoolBufferHttpTest {
    static final JsonNode EXPECTED = HttpApi.JSON.readTree(resource("masked.json"));
    static final String ALL_FALSE = "[[false, false, false], [false, false, false], [false, false, false]]";

    @TempDir
    Path dataDir;
    ServiceProcess service;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = BoolBufferHttpTest.class.getResourceAsStream("/boolbuf/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpApi start() throws Exception {
        service = ServiceProcess.start("384m", List.of("--paramlab.data-dir=" + dataDir));
        return new HttpApi(service.port());
    }

    /** The Masked module of the script, its mask replaced by {@code mask} when not null. */
    private static String spec(String name, String mask) {
        ObjectNode model = (ObjectNode) EXPECTED.get("spec").deepCopy();
        if (mask != null) {
            ((ObjectNode) model.get("buffers").get(0)).set("data", HttpApi.JSON.readTree(mask));
        }
        return "{\"name\": \"" + name + "\", \"seed\": 3, \"model\": " + model + "}";
    }

    @Test
    void aPersistentBoolMaskGoesThroughEveryFormatTheStoreAndARestart() throws Exception {
        HttpApi api = start();
        String source = api.create(spec("source", null));
        JsonNode sd = api.get("/models/" + source + "/state-dict").body();
        assertThat(fieldNames(sd)).containsExactly("mask", "proj.weight", "proj.bias");
        assertThat(sd.get("mask").get("dtype").stringValue()).isEqualTo("bool");
        assertThat(sd.get("mask").get("data")).isEqualTo(EXPECTED.get("state_dict").get("mask").get("data"));

        // every export loads back into a model whose mask differs, bit for bit
        for (String format : List.of("json", "safetensors", "safetensors&tied=copies", "pt")) {
            HttpApi.Bytes file = api.getBytes("/models/" + source + "/state-dict?format=" + format, null);
            assertThat(file.status()).as(format).isEqualTo(200);
            String target = api.create(spec("target", ALL_FALSE));
            assertThat(api.get("/models/" + target + "/state-dict").body()).isNotEqualTo(sd);
            HttpApi.Answer load = api.putBytes("/models/" + target + "/state-dict?strict=true",
                    format.equals("json") ? "application/json" : "application/octet-stream", file.body());
            assertThat(load.status()).as(format + ": " + load.body()).isEqualTo(200);
            assertThat(api.get("/models/" + target + "/state-dict").body()).as(format).isEqualTo(sd);
        }

        // torch's and safetensors' own files load strictly, and export back with the same tensor bytes
        String model = api.create(spec("from-torch", ALL_FALSE));
        for (String name : List.of("masked.pt", "masked.safetensors")) {
            HttpApi.Answer load = api.putBytes("/models/" + model + "/state-dict?strict=true", "application/octet-stream",
                    resource(name));
            assertThat(load.status()).as(name + ": " + load.body()).isEqualTo(200);
            assertMatchesTorch(api.get("/models/" + model + "/state-dict").body());
            clearMask(api, model);
        }
        api.putBytes("/models/" + model + "/state-dict?strict=true", "application/octet-stream", resource("masked.pt"));
        byte[] safetensors = api.getBytes("/models/" + model + "/state-dict?format=safetensors", null).body();
        assertThat(safetensorsHeader(safetensors)).contains("\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3,3],\"data_offsets\":[32,41]}");
        assertThat(safetensorsData(safetensors)).isEqualTo(safetensorsData(resource("masked.safetensors")));
        Map<String, byte[]> ours = zipEntries(api.getBytes("/models/" + model + "/state-dict?format=pt", null).body());
        Map<String, byte[]> torch = zipEntries(resource("masked.pt"));
        for (String entry : List.of("archive/data/0", "archive/data/1", "archive/data/2")) {
            assertThat(ours.get(entry)).as(entry).isEqualTo(torch.get(entry));
        }
        assertThat(ours.get("archive/data/0")).containsExactly(0, 1, 1, 0, 0, 1, 0, 0, 0);   // the mask, a byte per element
        assertThat(new String(ours.get("archive/data.pkl"), StandardCharsets.ISO_8859_1)).contains("BoolStorage");

        // checkpoints and diffs: the mask changed between them is 3 changed elements, and a restore brings it back
        assertThat(api.post("/models/" + model + "/checkpoints", Map.of("tag", "torch")).status()).isEqualTo(201);
        clearMask(api, model);
        JsonNode diff = api.get("/models/" + model + "/diff?from=torch&to=live").body();
        assertThat(diff.toString()).contains("\"key\":\"mask\"");
        JsonNode maskDiff = rowOf(diff, "mask");
        assertThat(maskDiff.get("changed_elements").longValue()).as(diff.toString()).isEqualTo(3);
        assertThat(api.get("/models/" + model + "/checkpoints/torch/state-dict").body().get("mask").get("data"))
                .isEqualTo(EXPECTED.get("state_dict").get("mask").get("data"));
        assertThat(api.post("/models/" + model + "/checkpoints/torch/restore", Map.of()).status()).isEqualTo(200);
        assertMatchesTorch(api.get("/models/" + model + "/state-dict").body());

        // a model's state dict kept as a stored state dict: the mask as torch's bool
        HttpApi.Answer kept = api.postWith("/state-dicts?from=model:" + model, null);   // no body: ?from= is the source
        assertThat(kept.status()).as(String.valueOf(kept.body())).isEqualTo(201);
        String stored = kept.body().get("id").stringValue();
        assertThat(safetensorsData(api.getBytes("/state-dicts/" + stored + "?format=safetensors", null).body()))
                .isEqualTo(safetensorsDataInOrder(resource("masked.safetensors"), "mask", "proj.weight", "proj.bias"));

        // torch's file uploaded as a stored state dict loads into a model strictly, the mask as bool
        HttpApi.Answer upload = api.postBytes("/state-dicts?name=masked", "application/octet-stream", resource("masked.pt"));
        assertThat(upload.status()).as(String.valueOf(upload.body())).isEqualTo(201);
        clearMask(api, model);
        HttpApi.Answer fromStored = api.sendWith("PUT", "/models/" + model + "/state-dict?strict=true&from=state-dict:"
                + upload.body().get("id").stringValue(), null);
        assertThat(fromStored.status()).as(String.valueOf(fromStored.body())).isEqualTo(200);
        assertMatchesTorch(api.get("/models/" + model + "/state-dict").body());

        // a restart on the same data folder keeps the mask (and the rest)
        JsonNode before = api.get("/models/" + model + "/state-dict").body();
        JsonNode sourceBefore = api.get("/models/" + source + "/state-dict").body();
        service.close();
        service = null;
        api = start();
        assertThat(api.get("/models/" + model + "/state-dict").body()).isEqualTo(before);
        assertThat(api.get("/models/" + source + "/state-dict").body()).isEqualTo(sourceBefore);
        assertThat(api.get("/models/" + model + "/checkpoints/torch/state-dict").body()).isEqualTo(before);
    }

    /** A JSON load of the mask alone (strict=false): all false. */
    private static void clearMask(HttpApi api, String model) {
        HttpApi.Answer load = api.put("/models/" + model + "/state-dict?strict=false", Map.of("mask",
                Map.of("shape", List.of(3, 3), "dtype", "bool", "data", HttpApi.JSON.readTree(ALL_FALSE))));
        assertThat(load.status()).as(String.valueOf(load.body())).isEqualTo(200);
        assertThat(api.get("/models/" + model + "/state-dict").body().get("mask").get("data")).isEqualTo(HttpApi.JSON.readTree(ALL_FALSE));
    }

    private static List<String> fieldNames(JsonNode object) {
        return List.copyOf(object.propertyNames());
    }

    private static JsonNode rowOf(JsonNode diff, String key) {
        JsonNode rows = diff.isArray() ? diff : diff.get("keys");
        for (JsonNode row : rows) {
            if (row.get("key").stringValue().equals(key)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + key + " in " + diff);
    }

    /** The state dict holds torch's values exactly: the mask's bools and the Linear's float32 bits. */
    private static void assertMatchesTorch(JsonNode sd) {
        JsonNode want = EXPECTED.get("state_dict");
        assertThat(fieldNames(sd)).containsExactly("mask", "proj.weight", "proj.bias");
        assertThat(sd.get("mask").get("dtype").stringValue()).isEqualTo("bool");
        assertThat(sd.get("mask").get("data")).isEqualTo(want.get("mask").get("data"));
        assertThat(floats(sd.get("proj.weight").get("data"))).isEqualTo(floats(want.get("proj.weight").get("data")));
        assertThat(floats(sd.get("proj.bias").get("data"))).isEqualTo(floats(want.get("proj.bias").get("data")));
    }

    private static float[] floats(JsonNode nested) {
        List<Float> out = new ArrayList<>();
        collect(nested, out);
        float[] values = new float[out.size()];
        for (int i = 0; i < values.length; i++) values[i] = out.get(i);
        return values;
    }

    private static void collect(JsonNode node, List<Float> out) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        } else {
            out.add((float) node.doubleValue());
        }
    }

    private static String safetensorsHeader(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    private static byte[] safetensorsData(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, 8 + (int) n, file.length);
    }

    /** The file's tensors' bytes concatenated in the given key order (the header's offsets located by a plain search). */
    private static byte[] safetensorsDataInOrder(byte[] file, String... keys) {
        String header = safetensorsHeader(file);
        byte[] data = safetensorsData(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String key : keys) {
            int at = header.indexOf("\"" + key + "\":");
            String offsets = header.substring(header.indexOf("\"data_offsets\":[", at) + 16);
            String[] pair = offsets.substring(0, offsets.indexOf(']')).split(",");
            out.write(data, Integer.parseInt(pair[0]), Integer.parseInt(pair[1]) - Integer.parseInt(pair[0]));
        }
        return out.toByteArray();
    }

    /** The entries by the central directory (torch's writer uses data descriptors, which ZipInputStream refuses on STORED). */
    private static Map<String, byte[]> zipEntries(byte[] zip) throws IOException {
        Path file = Files.createTempFile("boolbuf", ".pt");
        try {
            Files.write(file, zip);
            Map<String, byte[]> out = new LinkedHashMap<>();
            try (ZipFile in = new ZipFile(file.toFile())) {
                for (ZipEntry e : Collections.list(in.entries())) {
                    out.put(e.getName(), in.getInputStream(e).readAllBytes());
                }
            }
            return out;
        } finally {
            Files.delete(file);
        }
    }
}
