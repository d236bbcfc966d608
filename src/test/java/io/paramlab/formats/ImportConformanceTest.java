package io.paramlab.formats;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every {@code kind: import} conformance case in safetensors or torch.save: the file decodes to
 * exactly the tensors PyTorch loaded, or is refused with the rule's message. Cases answered with
 * 422 are about the model (a missing key, a wrong shape): their files decode, and the HTTP layer
 * refuses them against the model.
 */
class ImportConformanceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BYTES = 1L << 30;
    private static final Path PWNED = Path.of("/tmp/paramlab-conformance-pwned");

    static Path dir() throws URISyntaxException {
        return Path.of(ImportConformanceTest.class.getResource("/conformance").toURI());
    }

    static Stream<Arguments> importCases() throws IOException, URISyntaxException {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode c = JSON.readTree(file.toFile());
                if (c.has("kind") && c.get("kind").stringValue().equals("import")
                        && !c.get("format").stringValue().equals("json")) {
                    out.add(Arguments.of(Named.of(c.get("id").stringValue(), c)));
                }
            }
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(30);
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("importCases")
    void decodesAsPyTorchLoaded(JsonNode c) throws Exception {
        int status = c.get("expect_status").asInt();
        Path file = dir().resolve(c.get("file").stringValue());
        if (status == 400) {
            assertThatThrownBy(() -> decode(c, file, List.of()))
                    .isInstanceOf(FormatException.class)
                    .satisfies(e -> {
                        if (c.has("expect_detail_contains")) {
                            assertThat(e.getMessage()).contains(c.get("expect_detail_contains").stringValue());
                        }
                    });
            assertThat(PWNED).as("a hostile pickle ran something").doesNotExist();
            return;
        }
        JsonNode expected = c.get("expect_state_dict");
        List<String> modelKeys = new ArrayList<>();
        if (expected != null) {
            expected.propertyNames().forEach(modelKeys::add);
        }
        Map<String, TensorData> decoded = decode(c, file, modelKeys);
        if (status == 422) {
            String key = c.get("expect_detail_contains").stringValue();
            if (c.get("id").stringValue().contains("missing")) {
                assertThat(decoded).doesNotContainKey(key);
            } else {
                assertThat(decoded).containsKey(key);
            }
            return;
        }
        JsonNode missing = c.get("expect_load_result").get("missing_keys");
        for (JsonNode m : missing) {
            assertThat(decoded).doesNotContainKey(m.stringValue());
        }
        if (expected == null) {
            return;
        }
        assertThat(decoded.keySet()).containsExactlyInAnyOrderElementsOf(modelKeys);
        for (String key : modelKeys) {
            assertExactly(key, expected.get(key), decoded.get(key));
        }
    }

    /** The state dict the importer would load: tied-form safetensors resolved against the model's keys. */
    static Map<String, TensorData> decode(JsonNode c, Path file, List<String> modelKeys) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            if (c.get("format").stringValue().equals("safetensors")) {
                SafeTensors.Loaded loaded = SafeTensors.read(in, MAX_BYTES);
                return modelKeys.isEmpty() ? loaded.tensors() : loaded.resolveTied(modelKeys);
            }
            JsonNode key = c.get("query").get("key");
            return TorchSave.read(in, key == null ? null : key.stringValue(), MAX_BYTES).stateDict();
        }
    }

    static void assertExactly(String key, JsonNode expected, TensorData actual) {
        assertThat(actual).as(key).isNotNull();
        List<Integer> shape = new ArrayList<>();
        expected.get("shape").forEach(n -> shape.add(n.asInt()));
        assertThat(actual.shape()).as(key + " shape").containsExactly(shape.stream().mapToInt(Integer::intValue).toArray());
        assertThat(actual.dtype()).as(key + " dtype").isEqualTo(expected.get("dtype").stringValue());
        List<JsonNode> values = new ArrayList<>();
        flatten(expected.get("data"), values);
        assertThat(actual.numel()).as(key + " numel").isEqualTo(values.size());
        for (int i = 0; i < values.size(); i++) {
            JsonNode v = values.get(i);
            if (actual.isFloat()) {
                float want = v.isNumber() ? (float) v.doubleValue() : nonFinite(v.stringValue());
                if (Float.floatToIntBits(want) != Float.floatToIntBits(actual.floats()[i])) {
                    fail(key + "[" + i + "]: expected exactly " + want + " but was " + actual.floats()[i]);
                }
            } else {
                assertThat(actual.longs()[i]).as(key + "[" + i + "]").isEqualTo(v.longValue());
            }
        }
    }

    private static float nonFinite(String s) {
        return s.equals("NaN") ? Float.NaN : s.equals("Infinity") ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add(node);
        }
    }

    /** Tied keys come out on one array, from both formats, as PyTorch holds them on one storage. */
    @org.junit.jupiter.api.Test
    void tiedFilesKeepOneArray() throws Exception {
        Path dir = dir();
        Map<String, TensorData> pt;
        try (InputStream in = Files.newInputStream(dir.resolve("files/pt_tied_0.pt"))) {
            pt = TorchSave.read(in, null, MAX_BYTES).stateDict();
        }
        assertThat(pt.get("4.weight").floats()).isSameAs(pt.get("2.weight").floats());
        assertThat(pt.get("4.bias").floats()).isSameAs(pt.get("2.bias").floats());
        SafeTensors.Loaded st;
        try (InputStream in = Files.newInputStream(dir.resolve("files/st_tied_model_0.safetensors"))) {
            st = SafeTensors.read(in, MAX_BYTES);
        }
        assertThat(st.tensors()).doesNotContainKey("4.weight");
        assertThat(st.metadata()).containsEntry("4.weight", "2.weight").containsEntry("format", "pt");
        Map<String, TensorData> resolved = st.resolveTied(new ArrayList<>(pt.keySet()));
        assertThat(resolved.keySet()).containsExactlyElementsOf(pt.keySet());
        assertThat(resolved.get("4.weight")).isSameAs(resolved.get("2.weight"));
    }

    /** The tutorial's general checkpoint: the whole object decodes, and ?key= picks the model's dict with its _metadata. */
    @org.junit.jupiter.api.Test
    void generalCheckpointDecodesWhole() throws Exception {
        TorchSave.Loaded loaded;
        try (InputStream in = Files.newInputStream(dir().resolve("files/pt_checkpoint_0.pt"))) {
            loaded = TorchSave.read(in, "model_state_dict", MAX_BYTES);
        }
        assertThat(loaded.hasMetadata()).isTrue();
        assertThat(loaded.metadata().get("1")).containsEntry("version", 2L);
        assertThat(loaded.metadata().get("")).containsEntry("version", 1L);
        Map<?, ?> root = (Map<?, ?>) loaded.root();
        assertThat(root.get("epoch")).isEqualTo(3L);
        assertThat(root.get("loss")).isEqualTo(0.25);
        assertThat(root.get("note")).isEqualTo("general checkpoint");
        Map<?, ?> optimizer = (Map<?, ?>) root.get("optimizer_state_dict");
        Map<?, ?> group = (Map<?, ?>) ((List<?>) optimizer.get("param_groups")).get(0);
        assertThat(group.get("lr")).isEqualTo(0.1);
        assertThat(group.get("nesterov")).isEqualTo(false);
        Map<?, ?> state = (Map<?, ?>) optimizer.get("state");
        assertThat(((Map<?, ?>) state.get(0L)).get("momentum_buffer")).isInstanceOf(TensorData.class);
        assertThat(new LinkedHashMap<>(loaded.stateDict())).containsKey("1.num_batches_tracked");
        assertThat(loaded.stateDict().get("1.num_batches_tracked").longs()).containsExactly(3L); // two training forwards and the one before backward()

        try (InputStream in = Files.newInputStream(dir().resolve("files/pt_checkpoint_0.pt"))) {
            assertThatThrownBy(() -> TorchSave.read(in, null, MAX_BYTES))
                    .isInstanceOf(FormatException.class).hasMessageContaining("?key=").hasMessageContaining("model_state_dict");
        }
    }

    /**
     * torch.save's legacy format (a bare pickle) was read as a safetensors header length and refused as
     * "the safetensors header length is 5088219219985302144 bytes": now named for what it is. The first
     * 16 bytes of {@code torch.save({"a": torch.zeros(1)}, f, _use_new_zipfile_serialization=False)}
     * (PyTorch 1.13), and the same with pickle_protocol=4.
     */
    @org.junit.jupiter.api.Test
    void theLegacyTorchSaveFormatIsNamed() {
        byte[][] heads = {
                {(byte) 0x80, 2, (byte) 0x8a, 10, 'l', (byte) 0xfc, (byte) 0x9c, 'F', (byte) 0xf9, ' ', 'j', (byte) 0xa8, 'P', 0x19, '.', (byte) 0x80},
                {(byte) 0x80, 4, (byte) 0x95, 13, 0, 0, 0, 0, 0, 0, 0, (byte) 0x8a, 10, 'l', (byte) 0xfc, (byte) 0x9c}};
        for (byte[] head : heads) {
            assertThatThrownBy(() -> SafeTensors.read(new java.io.ByteArrayInputStream(head), MAX_BYTES))
                    .isInstanceOf(FormatException.class).hasMessageStartingWith("the file is a bare pickle, as torch.save's legacy format");
        }
    }
}
