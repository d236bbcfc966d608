package io.paramlab.api;

import io.paramlab.formats.SafeTensors;
import io.paramlab.formats.TorchSave;
import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's own safetensors and torch.save exports load back through its importers bit for
 * bit (tied and copies, with a BatchNorm), carry PyTorch's _metadata and ties, and the format is
 * negotiated as API.md says.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StateDictFormatsTest {
    static final String TIED_BN = """
            {"name": "%s", "seed": %d,
             "shared": {"shared": {"type": "Linear", "in_features": 4, "out_features": 4}},
             "model": {"type": "Sequential", "layers": [
               {"ref": "shared"}, {"type": "BatchNorm1d", "num_features": 4}, {"type": "ReLU"},
               {"ref": "shared"}, {"type": "Linear", "in_features": 4, "out_features": 2}]}}""";
    static final String X = "[[0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [0.9, 1.0, -1.1, 1.2]]";

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(port);
    }

    /** A tied model whose BatchNorm has moved its running statistics and num_batches_tracked. */
    String trainedModel(String name, int seed) {
        String id = api.create(TIED_BN.formatted(name, seed));
        assertThat(api.post("/models/" + id + "/forward", "{\"input\": " + X + "}").status()).isEqualTo(200);
        return id;
    }

    @ParameterizedTest
    @ValueSource(strings = {"format=safetensors", "format=safetensors&tied=copies", "format=pt"})
    void exportsLoadBackBitForBit(String query) {
        String source = trainedModel("source", 1);
        JsonNode original = api.get("/models/" + source + "/state-dict").body();
        HttpApi.Bytes file = api.getBytes("/models/" + source + "/state-dict?" + query, null);
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(file.header("Content-Disposition")).isEqualTo("attachment; filename=\"source"
                + (query.contains("pt") ? ".pt" : ".safetensors") + "\"");

        String target = api.create(TIED_BN.formatted("target", 2));
        assertThat(api.get("/models/" + target + "/state-dict").body()).isNotEqualTo(original);
        HttpApi.Answer load = api.putBytes("/models/" + target + "/state-dict", "application/octet-stream", file.body());
        assertThat(load.status()).as(String.valueOf(load.body())).isEqualTo(200);
        assertThat(load.body().get("missing_keys").size() + load.body().get("unexpected_keys").size()).isZero();
        assertThat(api.get("/models/" + target + "/state-dict").body()).isEqualTo(original);
        // still tied after the load: a write through one name is seen through the other
        api.patch("/models/" + target + "/parameters/0.bias", Map.of("index", List.of(0), "value", 7));
        assertThat(api.get("/models/" + target + "/parameters/3.bias").body().get("data").get("data").get(0).floatValue()).isEqualTo(7f);
    }

    @Test
    void ptExportCarriesMetadataAndOneStoragePerTie() throws Exception {
        String id = trainedModel("meta", 3);
        byte[] pt = api.getBytes("/models/" + id + "/state-dict?format=pt", null).body();
        TorchSave.Loaded loaded = TorchSave.read(new ByteArrayInputStream(pt), null, 1 << 20);
        assertThat(loaded.hasMetadata()).isTrue();
        assertThat(loaded.metadata().keySet()).containsExactly("", "0", "1", "2", "3", "4");
        assertThat(loaded.metadata().get("1")).containsEntry("version", 2L);
        assertThat(loaded.metadata().get("")).containsEntry("version", 1L);
        assertThat(loaded.stateDict().get("3.weight").floats()).isSameAs(loaded.stateDict().get("0.weight").floats());
        assertThat(loaded.stateDict().get("1.num_batches_tracked").longs()).containsExactly(1L);

        byte[] sub = api.getBytes("/models/" + id + "/state-dict?format=pt&module=1", null).body();
        TorchSave.Loaded bn = TorchSave.read(new ByteArrayInputStream(sub), null, 1 << 20);
        assertThat(bn.stateDict().keySet()).containsExactly("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
        assertThat(bn.metadata()).containsOnlyKeys("");
        assertThat(bn.metadata().get("")).containsEntry("version", 2L);
        // and it loads back into that module
        assertThat(api.putBytes("/models/" + id + "/state-dict?module=1", "application/octet-stream", sub).status()).isEqualTo(200);
    }

    @Test
    void safetensorsExportIsSaveModelsLayoutOrCopies() throws Exception {
        String id = trainedModel("st", 4);
        SafeTensors.Loaded tied = SafeTensors.read(new ByteArrayInputStream(
                api.getBytes("/models/" + id + "/state-dict", "application/octet-stream").body()), 1 << 20);
        assertThat(tied.tensors()).containsKey("0.weight").doesNotContainKey("3.weight");
        assertThat(tied.metadata()).containsEntry("3.weight", "0.weight").containsEntry("format", "pt");
        SafeTensors.Loaded copies = SafeTensors.read(new ByteArrayInputStream(
                api.getBytes("/models/" + id + "/state-dict?format=safetensors&tied=copies", null).body()), 1 << 20);
        TensorData w0 = copies.tensors().get("0.weight");
        assertThat(Arrays.equals(w0.floats(), copies.tensors().get("3.weight").floats())).isTrue();
        assertThat(copies.metadata()).containsOnlyKeys("format");
    }

    @Test
    void aBadByteAtTheEndLoadsNothing() {
        String source = trainedModel("source", 5);
        String target = api.create(TIED_BN.formatted("target", 6));
        JsonNode before = api.get("/models/" + target + "/state-dict").body();
        for (String format : List.of("safetensors", "pt")) {
            byte[] file = api.getBytes("/models/" + source + "/state-dict?format=" + format, null).body();
            byte[] longer = Arrays.copyOf(file, file.length + 1);
            HttpApi.Answer answer = api.putBytes("/models/" + target + "/state-dict", "application/octet-stream", longer);
            assertThat(answer.status()).as(format + " " + answer.body()).isEqualTo(400);
            assertThat(answer.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:invalid-file");
            byte[] cut = Arrays.copyOf(file, file.length - 1);
            assertThat(api.putBytes("/models/" + target + "/state-dict", "application/octet-stream", cut).status()).isEqualTo(400);
            assertThat(api.get("/models/" + target + "/state-dict").body()).isEqualTo(before);
        }
    }

    @Test
    void strictAndShapeChecksAreTheJsonOnes() {
        String source = api.create(Map.of("model", Map.of("type", "Linear", "in_features", 4, "out_features", 3)));
        String other = api.create(Map.of("model", Map.of("type", "Linear", "in_features", 4, "out_features", 2)));
        byte[] pt = api.getBytes("/models/" + source + "/state-dict?format=pt", null).body();
        HttpApi.Answer answer = api.putBytes("/models/" + other + "/state-dict?format=pt", "application/octet-stream", pt);
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.body().get("detail").stringValue()).contains("size mismatch for weight");
    }

    @Test
    void formatIsNegotiated() {
        String id = api.create(Map.of("name", "réseau 1", "model", Map.of("type", "Linear", "in_features", 2, "out_features", 1)));
        String path = "/models/" + id + "/state-dict";
        assertThat(api.getBytes(path, null).header("Content-Type")).startsWith("application/json");
        assertThat(api.getBytes(path, "*/*").header("Content-Type")).startsWith("application/json");
        assertThat(api.getBytes(path, "application/json;q=0.5, application/octet-stream").header("Content-Type"))
                .isEqualTo("application/octet-stream");
        assertThat(api.getBytes(path + "?format=json", "application/octet-stream").header("Content-Type")).startsWith("application/json");
        assertThat(api.getBytes(path + "?format=pt", null).header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"r_seau 1.pt\"; filename*=UTF-8''r%C3%A9seau%201.pt");
        String nameless = api.create(Map.of("model", Map.of("type", "Linear", "in_features", 2, "out_features", 1)));
        assertThat(api.getBytes("/models/" + nameless + "/state-dict?format=safetensors", null).header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"model-" + nameless + ".safetensors\"");

        HttpApi.Bytes notAcceptable = api.getBytes(path, "text/html");
        assertThat(notAcceptable.status()).isEqualTo(406);
        assertThat(notAcceptable.header("Content-Type")).startsWith("application/problem+json");
        HttpApi.Bytes badFormat = api.getBytes(path + "?format=onnx", "application/octet-stream");
        assertThat(badFormat.status()).isEqualTo(400);
        assertThat(badFormat.header("Content-Type")).startsWith("application/problem+json");
        HttpApi.Bytes missing = api.getBytes("/models/nope/state-dict", "application/octet-stream");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
        assertThat(api.putBytes(path + "?key=model_state_dict", "application/json", "{}".getBytes()).status()).isEqualTo(400);
    }
}
