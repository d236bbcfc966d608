package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad-input rule of the API: a problem answer naming the field and the numbers, and nothing changed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"paramlab.limits.max-body-size=1MB", "paramlab.limits.max-models=50",
                "paramlab.limits.max-activation-elements=1000000"})
class BadInputTest {
    static final Map<String, Object> NET = Map.of("seed", 1, "model", Map.of("type", "Sequential", "layers", List.of(
            Map.of("type", "Linear", "in_features", 4, "out_features", 8),
            Map.of("type", "ReLU"),
            Map.of("type", "Linear", "in_features", 8, "out_features", 1))));

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    /** A forward body of 1.2 MB, over this test's max-body-size of 1MB. */
    static final String INPUT_OVER_ONE_MB = "{\"input\": [" + "0.5,".repeat(300_000) + "0.5]}";

    /** A create body whose model is {@code depth} Sequentials, one inside the other, around a ReLU. */
    static String nestedSequentials(int depth) {
        return "{\"model\":" + "{\"type\":\"Sequential\",\"layers\":[".repeat(depth) + "{\"type\":\"ReLU\"}"
                + "]}".repeat(depth) + "}";
    }

    static void assertProblem(HttpApi.Answer answer, int status, String detailContains) {
        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("type").stringValue()).startsWith("urn:paramlab:problem:");
        assertThat(answer.body().get("status").intValue()).isEqualTo(status);
        assertThat(answer.body().get("detail").stringValue()).contains(detailContains);
    }

    static String field(HttpApi.Answer answer) {
        // "field" then "message", in every answer (a Map.of here once gave either order, changing between runs)
        assertThat(answer.body().get("errors").get(0).propertyNames()).containsExactly("field", "message");
        return answer.body().get("errors").get(0).get("field").stringValue();
    }

    @Test
    void malformedJsonIsA400() {
        assertProblem(api.postRaw("/models", "application/json", "{\"model\": "), 400, "");
    }

    @Test
    void wrongMediaTypeIsA415() {
        HttpApi.Answer answer = api.postRaw("/models", "text/plain", "hello");
        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }

    @Test
    void unknownLayerTypeNamesTheField() {
        HttpApi.Answer answer = api.post("/models", Map.of("model", Map.of("type", "Sequential", "layers",
                List.of(Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "Conv9d")))));
        assertProblem(answer, 400, "unknown layer type \"Conv9d\"");
        assertThat(field(answer)).isEqualTo("model.layers[1].type");
    }

    @Test
    void everyBadFieldIsListed() {
        HttpApi.Answer answer = api.post("/models", Map.of("model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 0, "out_features", 8),
                Map.of("type", "Dropout", "p", 1.5),
                Map.of("type", "Linear", "in_feature", 8, "out_features", 1)))));
        assertProblem(answer, 400, "in_features");
        List<String> fields = answer.body().get("errors").valueStream().map(e -> e.get("field").stringValue()).toList();
        assertThat(fields).containsExactly("model.layers[0].in_features", "model.layers[1].p",
                "model.layers[2].in_features", "model.layers[2].in_feature");
        assertThat(answer.body().get("errors").get(1).get("message").stringValue())
                .isEqualTo("dropout probability has to be between 0 and 1, but got 1.5");
    }

    @Test
    void duplicateSiblingNamesAndDotsAreRefused() {
        HttpApi.Answer answer = api.post("/models", Map.of("model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "ReLU", "name", "a"), Map.of("type", "ReLU", "name", "a"), Map.of("type", "ReLU", "name", "b.c")))));
        assertProblem(answer, 400, "already exists");
        assertThat(field(answer)).isEqualTo("model.layers[1].name");
    }

    @Test
    void unknownAndCyclicRefsAreRefused() {
        assertProblem(api.post("/models", Map.of("model", Map.of("ref", "nope"))), 400, "unknown shared key \"nope\"");
        HttpApi.Answer cycle = api.post("/models", Map.of(
                "shared", Map.of("a", Map.of("type", "Sequential", "layers", List.of(Map.of("ref", "a")))),
                "model", Map.of("ref", "a")));
        assertProblem(cycle, 400, "refers to itself");
        assertThat(field(cycle)).isEqualTo("shared.a.layers[0].ref");
    }

    @Test
    void aHugeLinearIsRefusedBeforeAllocation() {
        int before = api.get("/models").body().size();
        HttpApi.Answer answer = api.post("/models", Map.of("model",
                Map.of("type", "Linear", "in_features", 100000, "out_features", 100000)));
        assertProblem(answer, 413, "10000100000 parameters");
        assertThat(answer.body().get("limit").stringValue()).isEqualTo("max-parameters-per-model");
        assertThat(answer.body().get("actual").longValue()).isEqualTo(10_000_100_000L);
        assertThat(api.get("/models").body().size()).isEqualTo(before);
    }

    @Test
    void buffersCountTowardsTheModelLimit() {
        HttpApi.Answer answer = api.post("/models", Map.of("model",
                Map.of("type", "BatchNorm1d", "num_features", 1_000_000_000, "affine", false)));
        assertProblem(answer, 413, "2000000001 parameters and buffer elements");   // running_mean, running_var, num_batches_tracked
    }

    @Test
    void aForwardOverTheActivationBudgetIsA413AndChangesNothing() {
        String id = api.create(Map.of("model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "BatchNorm1d", "num_features", 1),
                Map.of("type", "Linear", "in_features", 1, "out_features", 1000)))));
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        float[] column = new float[2000];
        java.util.Arrays.fill(column, 1f);
        HttpApi.Answer answer = api.post("/models/" + id + "/forward",
                Map.of("input", Map.of("shape", List.of(2000, 1), "data", column)));
        assertProblem(answer, 413, "over the limit of 1000000");
        assertThat(answer.body().get("limit").stringValue()).isEqualTo("max-activation-elements");
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void aVeryDeepSpecIsRefusedWithoutStackOverflow() {
        HttpApi.Answer answer = api.postRaw("/models", "application/json", nestedSequentials(5000));
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        HttpApi.Answer overLimit = api.postRaw("/models", "application/json", nestedSequentials(40));
        assertProblem(overLimit, 413, "deeper than 32 levels");
    }

    @Test
    void aBodyOverTheLimitIsA413() {
        String id = api.create(NET);
        HttpApi.Answer answer = api.postRaw("/models/" + id + "/forward", "application/json", INPUT_OVER_ONE_MB);
        assertProblem(answer, 413, "max-body-size");
        HttpApi.Answer chunked = api.postChunked("/models/" + id + "/forward", INPUT_OVER_ONE_MB);
        assertProblem(chunked, 413, "larger than 1048576 bytes (paramlab.limits.max-body-size)");
    }

    /** Requests Jetty refuses before Spring MVC sees them still get a problem answer, not an HTML page. */
    @Test
    void requestsRefusedByTheServerItselfAreProblemsToo() {
        assertProblem(api.get("/models/a%2Fb/state-dict"), 400, "encoded \"/\" (%2F)");
        HttpApi.Answer headers = api.getWithHeader("/models", "X-Padding", "x".repeat(20_000));
        assertProblem(headers, 431, "server.max-http-request-header-size");
        assertThat(headers.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:limit-exceeded");
    }

    /**
     * Answers given before the body is read to its end (over the limit, too deep, wrong media type)
     * must reach a client that is still sending: the server reads and drops the rest rather than
     * closing on unread bytes, which resets the connection and loses the answer.
     */
    @Test
    void earlyAnswersReachAClientStillSendingItsBody() {
        String deep = nestedSequentials(5000);
        String id = api.create(NET);
        for (int i = 0; i < 40; i++) {
            assertThat(api.postRaw("/models/" + id + "/forward", "application/json", INPUT_OVER_ONE_MB).status()).isEqualTo(413);
            assertThat(api.postRaw("/models", "application/json", deep).status()).isEqualTo(413);
            assertThat(api.postRaw("/models", "text/plain", deep).status()).isEqualTo(415);
        }
    }

    @Test
    void unknownModelModuleAndParameterAre404s() {
        assertProblem(api.get("/models/nope"), 404, "no model with id \"nope\"");
        String id = api.create(NET);
        assertProblem(api.get("/models/" + id + "/state-dict?module=7"), 404, "no module \"7\"");
        assertProblem(api.get("/models/" + id + "/parameters/9.weight"), 404, "no parameter \"9.weight\"");
    }

    @Test
    void shapeMismatchIsWordedAsPyTorch() {
        String id = api.create(NET);
        HttpApi.Answer answer = api.post("/models/" + id + "/forward",
                Map.of("input", List.of(List.of(1, 2, 3, 4, 5), List.of(1, 2, 3, 4, 5))));
        assertProblem(answer, 422, "mat1 and mat2 shapes cannot be multiplied (2x5 and 4x8)");
    }

    @Test
    void raggedTensorNamesTheRow() {
        String id = api.create(NET);
        HttpApi.Answer answer = api.post("/models/" + id + "/forward",
                Map.of("input", List.of(List.of(1, 2, 3, 4), List.of(1, 2, 3))));
        assertProblem(answer, 400, "has 3 elements, expected 4");
        assertThat(field(answer)).isEqualTo("input");
    }

    @Test
    void strictLoadWithAMissingKeyLoadsNothing() {
        String id = api.create(NET);
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        Map<String, Object> partial = Map.of("0.weight", Map.of("shape", List.of(8, 4), "data", new float[32]));
        HttpApi.Answer answer = api.put("/models/" + id + "/state-dict?strict=true", partial);
        assertProblem(answer, 422, "Missing key(s) in state_dict: \"0.bias\", \"2.weight\", \"2.bias\"");
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);

        HttpApi.Answer lenient = api.put("/models/" + id + "/state-dict?strict=false", partial);
        assertThat(lenient.status()).isEqualTo(200);
        assertThat(lenient.body().get("missing_keys").toString()).isEqualTo("[\"0.bias\",\"2.weight\",\"2.bias\"]");
        assertThat(Conformance.flatten(api.get("/models/" + id + "/state-dict").body().get("0.weight").get("data")))
                .containsOnly(0.0);
    }

    @Test
    void loadWithAWrongShapeLoadsNothingEvenWhenNotStrict() {
        String id = api.create(NET);
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        Map<String, Object> state = Map.of(
                "0.bias", Map.of("shape", List.of(8), "data", new float[8]),
                "2.weight", Map.of("shape", List.of(1, 9), "data", new float[9]));
        HttpApi.Answer answer = api.put("/models/" + id + "/state-dict?strict=false", state);
        assertProblem(answer, 422, "size mismatch for 2.weight: copying a param with shape torch.Size([1, 9]) from checkpoint, "
                + "the shape in current model is torch.Size([1, 8]).");
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void elementWriteOutOfBoundsIsA422() {
        String id = api.create(NET);
        HttpApi.Answer answer = api.patch("/models/" + id + "/parameters/0.weight", Map.of("index", List.of(8, 0), "value", 1));
        assertProblem(answer, 422, "index 8 is out of bounds for dimension 0 with size 8");
    }

    @Test
    void unknownLossAndMissingTargetAre400s() {
        String id = api.create(NET);
        List<List<Integer>> x = List.of(List.of(1, 2, 3, 4));
        HttpApi.Answer unknown = api.post("/models/" + id + "/backward", Map.of("input", x, "loss", "hinge"));
        assertProblem(unknown, 400, "unknown loss \"hinge\"");
        assertThat(field(unknown)).isEqualTo("loss");
        HttpApi.Answer noTarget = api.post("/models/" + id + "/backward", Map.of("input", x, "loss", "mse"));
        assertProblem(noTarget, 400, "needs a target");
        HttpApi.Answer noInput = api.post("/models/" + id + "/backward", Map.of("loss", "sum"));
        assertProblem(noInput, 400, "input");
        assertThat(field(noInput)).isEqualTo("input");
    }

    @Test
    void aFailedTrainingForwardLeavesRunningStatsAlone() {
        String id = api.create(Map.of("model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "BatchNorm1d", "num_features", 4),
                Map.of("type", "Linear", "in_features", 3, "out_features", 1)))));
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        HttpApi.Answer answer = api.post("/models/" + id + "/forward",
                Map.of("input", List.of(List.of(1, 2, 3, 4), List.of(4, 3, 2, 1))));
        assertProblem(answer, 422, "mat1 and mat2 shapes cannot be multiplied (2x4 and 3x1)");
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
        HttpApi.Answer single = api.post("/models/" + id + "/backward",
                Map.of("input", List.of(List.of(1, 2, 3, 4)), "loss", "sum"));
        assertProblem(single, 422, "Expected more than 1 value per channel when training");
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void crossEntropyTargetOutOfRangeIsA422() {
        String id = api.create(NET);
        HttpApi.Answer answer = api.post("/models/" + id + "/backward", Map.of(
                "input", List.of(List.of(1, 2, 3, 4)), "target", Map.of("shape", List.of(1), "dtype", "int64", "data", List.of(3)),
                "loss", "cross_entropy"));
        assertProblem(answer, 422, "Target 3 is out of bounds.");
        assertThat(api.get("/models/" + id + "/parameters/0.weight").body().get("grad").isNull()).isTrue();
    }
}
