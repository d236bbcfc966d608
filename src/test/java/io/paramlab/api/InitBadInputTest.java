package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static io.paramlab.api.BadInputTest.assertProblem;
import static io.paramlab.api.BadInputTest.field;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad init requests get a clear problem and change nothing: neither parameters nor the generator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InitBadInputTest {
    @LocalServerPort
    int port;
    HttpApi api;
    String id;
    JsonNode before;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        id = api.create(Map.of("seed", 5, "model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "ReLU"),
                Map.of("type", "LayerNorm", "normalized_shape", 8),
                Map.of("type", "Linear", "in_features", 8, "out_features", 1)))));
        before = api.get("/models/" + id + "/state-dict").body();
    }

    private HttpApi.Answer init(Object rules) {
        return api.post("/models/" + id + "/init", Map.of("rules", rules));
    }

    private void assertUnchanged() {
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void kaimingOnAOneDimensionalWeightNamesTheParameter() {
        HttpApi.Answer answer = init(List.of(
                Map.of("params", Map.of("bias", Map.of("type", "ones"))),
                Map.of("module", "2", "params", Map.of("weight", Map.of("type", "kaiming_uniform")))));
        assertProblem(answer, 422, "2.weight: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        assertThat(field(answer)).isEqualTo("rules[1].params.weight");
        assertUnchanged();
    }

    @Test
    void aFailedRuleListLeavesTheGeneratorWhereItWas() {
        Map<String, Object> draw = Map.of("params", Map.of("weight", Map.of("type", "uniform")));
        init(List.of(draw, Map.of("module", "2", "params", Map.of("weight", Map.of("type", "eye")))));
        // the failed request drew nothing: the next unseeded draw equals a draw made from the same state
        String other = api.create(Map.of("seed", 5, "model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "ReLU"),
                Map.of("type", "LayerNorm", "normalized_shape", 8),
                Map.of("type", "Linear", "in_features", 8, "out_features", 1)))));
        assertThat(api.post("/models/" + id + "/init", Map.of("rules", List.of(draw))).status()).isEqualTo(200);
        assertThat(api.post("/models/" + other + "/init", Map.of("rules", List.of(draw))).status()).isEqualTo(200);
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(api.get("/models/" + other + "/state-dict").body());
    }

    @Test
    void anUnknownModulePathIsA404() {
        assertProblem(init(List.of(Map.of("module", "7", "params", Map.of("weight", Map.of("type", "zeros"))))), 404, "no module \"7\"");
        assertUnchanged();
    }

    @Test
    void anUnknownPolicyOrLayerTypeIsA400() {
        HttpApi.Answer answer = init(List.of(Map.of("layer_types", List.of("linear"),
                "params", Map.of("weight", Map.of("type", "glorot")))));
        assertProblem(answer, 400, "unknown layer type \"linear\"");
        assertThat(answer.body().get("errors").get(1).get("field").stringValue()).isEqualTo("rules[0].params.weight.type");
        assertUnchanged();
    }

    @Test
    void anExpressionSyntaxErrorGivesThePosition() {
        HttpApi.Answer answer = init(List.of(Map.of("params", Map.of("weight",
                Map.of("type", "custom", "base", Map.of("type", "uniform"), "expr", "w * (abs(w) >= 5")))));
        assertProblem(answer, 400, "position");
        assertThat(field(answer)).isEqualTo("rules[0].params.weight.expr");
        HttpApi.Answer unknown = init(List.of(Map.of("params", Map.of("weight",
                Map.of("type", "custom", "base", Map.of("type", "uniform"), "expr", "getClass()")))));
        assertProblem(unknown, 400, "getClass");
        assertUnchanged();
    }

    @Test
    void badPolicyArgumentsNameTheirField() {
        HttpApi.Answer answer = init(List.of(Map.of("params", Map.of("weight",
                Map.of("type", "kaiming_normal", "mode", "fan_middle")))));
        assertProblem(answer, 400, "fan_middle");
        assertThat(field(answer)).isEqualTo("rules[0].params.weight.mode");
        assertUnchanged();
    }
}
