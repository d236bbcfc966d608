package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's shapes are checked when it is submitted: one sample through the model and the loss, eval-like under
 * no_grad, before anything is queued. A misfit is a 422 naming the field; the check itself changes nothing (no
 * version, no Dropout draw from the model's generator, no BatchNorm update, no lazy layer materialized).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JobDryRunHttpTest {
    static final String NET = """
            {"name": "net", "seed": 42, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    /** Dropout and BatchNorm1d in training mode: a forward in that mode would draw and move running statistics. */
    static final String NOISY = """
            {"seed": 5, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "BatchNorm1d", "num_features": 8},
              {"type": "Dropout", "p": 0.5}, {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    static final List<List<Double>> X = List.of(List.of(0.1, 0.2, 0.3, 0.4), List.of(0.5, 0.6, 0.7, 0.8), List.of(0.9, 0.1, 0.2, 0.3));

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    private String trainable(String spec) {
        String id = api.create(spec);
        assertThat(api.put("/models/" + id + "/optimizer", Map.of("type", "SGD", "lr", 0.1)).status()).isEqualTo(200);
        return id;
    }

    @Test
    void theSwaggerExampleRunsOnTheWalkthroughsNet() {
        String id = trainable(NET);
        HttpApi.Answer created = api.postRaw("/models/" + id + "/jobs", "application/json", JobController.EXAMPLE);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(202);
    }

    @Test
    void twoFeaturesForFourInputsAre422BeforeQueueing() {
        String id = trainable(NET);
        long version = api.get("/models/" + id).body().get("version").longValue();
        HttpApi.Answer refused = api.post("/models/" + id + "/jobs", Map.of(
                "data", Map.of("input", List.of(List.of(0, 0), List.of(0, 1)), "target", List.of(List.of(0), List.of(1))),
                "loss", "mse", "epochs", 1, "batch_size", 2));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("errors").get(0).get("field").stringValue()).isEqualTo("data");
        assertThat(refused.body().get("detail").stringValue())
                .contains("mat1 and mat2 shapes cannot be multiplied (1x2 and 4x8)").contains("input [1, 2]");
        assertThat(api.get("/models/" + id + "/jobs").body().size()).isZero();
        assertThat(api.get("/models/" + id).body().get("version").longValue()).isEqualTo(version);
    }

    @Test
    void theValidationSetIsCheckedToo() {
        String id = trainable(NET);
        HttpApi.Answer refused = api.post("/models/" + id + "/jobs", Map.of(
                "data", Map.of("input", X, "target", List.of(List.of(1.0), List.of(0.0), List.of(1.0))),
                "validation", Map.of("data", Map.of("input", List.of(List.of(1, 2, 3)), "target", List.of(List.of(1.0)))),
                "loss", "mse", "epochs", 1, "batch_size", 2));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("errors").get(0).get("field").stringValue()).isEqualTo("validation");
    }

    @Test
    void theCheckDrawsNothingAndMovesNoRunningStatistics() {
        String checked = trainable(NOISY);
        String twin = trainable(NOISY);
        JsonNode before = api.get("/models/" + checked + "/state-dict").body();
        // mse against a target of 2 columns for an output of 1: the loss refuses, after the forward has run
        HttpApi.Answer refused = api.post("/models/" + checked + "/jobs", Map.of(
                "data", Map.of("input", X, "target", List.of(List.of(1.0, 0.0), List.of(0.0, 1.0), List.of(1.0, 1.0))),
                "loss", "mse", "epochs", 1, "batch_size", 2));
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(422);
        assertThat(refused.body().get("errors").get(0).get("field").stringValue()).isEqualTo("data");
        assertThat(api.get("/models/" + checked + "/state-dict").body()).as("running statistics").isEqualTo(before);
        assertThat(api.get("/models/" + checked).body().get("version").longValue()).isEqualTo(2);
        assertThat(api.get("/models/" + checked).body().get("training").booleanValue()).isTrue();
        // the generator has not moved: a training-mode forward (Dropout draws) gives the twin's numbers
        Map<String, Object> forward = Map.of("input", X);
        assertThat(api.post("/models/" + checked + "/forward", forward).body().get("output"))
                .isEqualTo(api.post("/models/" + twin + "/forward", forward).body().get("output"));
    }

    @Test
    void aLazyModelIsNotMaterializedByTheCheck() {
        String id = api.create("""
                {"seed": 1, "model": {"type": "Sequential", "layers": [
                  {"type": "LazyLinear", "out_features": 8}, {"type": "ReLU"}, {"type": "LazyLinear", "out_features": 1}]}}""");
        HttpApi.Answer refused = api.post("/models/" + id + "/jobs", Map.of(
                "data", Map.of("input", X, "target", List.of(List.of(1.0), List.of(0.0), List.of(1.0))),
                "loss", "mse", "epochs", 1, "batch_size", 2));
        assertThat(refused.status()).isEqualTo(409);   // no optimizer: checked after the dry forward, which skipped the lazy model
        assertThat(api.get("/models/" + id).body().get("parameter_count").longValue()).isZero();
        assertThat(api.get("/models/" + id).body().get("version").longValue()).isEqualTo(1);
    }
}
