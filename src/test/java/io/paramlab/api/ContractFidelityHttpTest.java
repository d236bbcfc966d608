package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract's smaller promises, through HTTP: a refused strict load says what it refused as data,
 * a rename renames the spec, every read of a model's state carries the ETag of the version it read,
 * and a backward that changes durable state is in the history as a forward.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ContractFidelityHttpTest {
    static final String NET = """
            {"name": "net", "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    @LocalServerPort
    int port;

    @Test
    void aRefusedStrictLoadCarriesTheMissingUnexpectedAndMismatchedKeysAsArrays() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(NET);
        long version = api.get(model).body().get("version").longValue();
        HttpApi.Answer refused = api.put(model + "/state-dict?strict=true", Map.of(
                "0.weight", Map.of("shape", List.of(8, 3), "data", new float[24]), "extra", List.of(1)));
        assertThat(refused.status()).isEqualTo(422);
        JsonNode problem = refused.body();
        assertThat(problem.get("detail").stringValue()).startsWith("Error(s) in loading state_dict for Sequential:");
        assertThat(problem.get("missing_keys").toString()).isEqualTo("[\"0.bias\",\"2.weight\",\"2.bias\"]");
        assertThat(problem.get("unexpected_keys").toString()).isEqualTo("[\"extra\"]");
        assertThat(problem.get("size_mismatches").toString())
                .isEqualTo("[{\"key\":\"0.weight\",\"shape_in_model\":[8,4],\"shape_in_checkpoint\":[8,3]}]");
        assertThat(api.get(model).body().get("version").longValue()).as("nothing loaded").isEqualTo(version);

        // a lazy layer has no shape yet: PyTorch prints none for it (<UninitializedParameter>), never "torch.Size(null)"
        String lazy = "/models/" + api.create("{\"model\": {\"type\": \"Sequential\", \"layers\": [{\"type\": \"LazyLinear\", \"out_features\": 2}]}}");
        HttpApi.Answer lazyRefused = api.put(lazy + "/state-dict?strict=true", Map.of(
                "0.weight", Map.of("shape", List.of(3, 4), "data", new float[12]), "0.bias", List.of(0, 0, 0)));
        assertThat(lazyRefused.status()).isEqualTo(422);
        assertThat(lazyRefused.body().get("detail").stringValue()).contains("LazyLinear with out_features=2").doesNotContain("null");
        assertThat(lazyRefused.body().get("size_mismatches").toString()).isEqualTo("[{\"key\":\"0.weight\",\"shape_in_model\":null,"
                + "\"shape_in_checkpoint\":[3,4]},{\"key\":\"0.bias\",\"shape_in_model\":null,\"shape_in_checkpoint\":[3]}]");
        assertThat(lazyRefused.body().get("missing_keys").size()).isZero();
    }

    @Test
    void aRenameRenamesTheSpecAndSoftmaxEchoesDimNull() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create("{\"name\": \"before\", \"model\": {\"type\": \"Sequential\", \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 3}, {\"type\": \"Softmax\"}]}}");
        assertThat(api.get(model).body().get("spec").get("name").stringValue()).isEqualTo("before");
        assertThat(api.patch(model, Map.of("name", "after")).status()).isEqualTo(200);
        JsonNode after = api.get(model).body();
        assertThat(after.get("name").stringValue()).isEqualTo("after");
        assertThat(after.get("spec").get("name").stringValue()).isEqualTo("after");
        JsonNode softmax = after.get("spec").get("model").get("layers").get(1);
        assertThat(softmax.has("dim") && softmax.get("dim").isNull()).as("the spec echoes \"dim\": null: " + softmax).isTrue();
        assertThat(after.get("repr").stringValue()).contains("(1): Softmax(dim=None)");
    }

    @Test
    void everyReadOfAModelsStateSendsTheETagOfTheVersionItRead() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(NET);
        List<String> reads = List.of(model, model + "/state-dict", model + "/parameters", model + "/parameters?include=data,grad",
                model + "/parameters/0.weight", model + "/modules", model + "/stats", model + "/parameters/0.weight/stats");
        for (long step = 0; step < 2; step++) {
            long version = api.get(model).body().get("version").longValue();
            for (String read : reads) {
                HttpApi.Answer answer = api.get(read);
                assertThat(answer.status()).as(read).isEqualTo(200);
                assertThat(answer.header("ETag")).as("ETag of " + read).isEqualTo("\"" + version + "\"");
                HttpApi.Answer again = api.getWithHeader(read, "If-None-Match", "\"" + version + "\"");
                assertThat(again.status()).as("If-None-Match on " + read).isEqualTo(304);
            }
            assertThat(api.patch(model, Map.of("training", step == 1)).status()).isEqualTo(200);   // a new version
        }
    }

    @Test
    void aBackwardThatChangesDurableStateIsInTheHistoryAsAForward() {
        HttpApi api = new HttpApi(port);
        for (String layer : List.of("{\"type\": \"BatchNorm1d\", \"num_features\": 2}", "{\"type\": \"Dropout\", \"p\": 0.5}")) {
            String model = "/models/" + api.create("{\"model\": {\"type\": \"Sequential\", \"layers\": ["
                    + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}, " + layer + "]}}");
            long version = api.get(model).body().get("version").longValue();
            HttpApi.Answer backward = api.post(model + "/backward", Map.of("input", List.of(List.of(1, 2, 3, 4), List.of(4, 3, 2, 1)),
                    "loss", "sum"));
            assertThat(backward.status()).as(layer + " " + backward.body()).isEqualTo(200);
            JsonNode history = api.get(model + "/history").body();
            assertThat(history.get(0).get("operation").stringValue()).as(layer).isEqualTo("forward");
            assertThat(history.get(0).get("version").longValue()).isEqualTo(version + 1);
            assertThat(api.get(model).body().get("version").longValue()).isEqualTo(version + 1);
        }
        String lazy = "/models/" + api.create("{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 2}}");
        assertThat(api.post(lazy + "/backward", Map.of("input", List.of(List.of(1, 2, 3)), "loss", "sum")).status()).isEqualTo(200);
        assertThat(api.get(lazy + "/history").body().get(0).get("operation").stringValue()).as("lazy materialization").isEqualTo("forward");
    }
}
