package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The chapter's walkthrough, as the README tells it, through HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChapterWalkthroughTest {
    static final Map<String, Object> LINEAR_8_8 = Map.of("type", "Linear", "in_features", 8, "out_features", 8);
    static final Map<String, Object> TIED = Map.of(
            "shared", Map.of("shared", LINEAR_8_8),
            "model", Map.of("type", "Sequential", "layers", List.of(
                    Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "ReLU"),
                    Map.of("ref", "shared"), Map.of("type", "ReLU"),
                    Map.of("ref", "shared"), Map.of("type", "ReLU"),
                    Map.of("type", "Linear", "in_features", 8, "out_features", 1))));

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    @Test
    void createdModelAnswersWithLocationAndDefaults() {
        HttpApi.Answer created = api.post("/models", BadInputTest.NET);
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").stringValue();
        assertThat(created.header("Location")).endsWith("/api/v1/models/" + id);
        assertThat(created.body().get("training").booleanValue()).isTrue();
        assertThat(created.body().get("parameter_count").intValue()).isEqualTo(4 * 8 + 8 + 8 + 1);
        assertThat(created.body().get("spec").get("model").get("layers").get(0).get("bias").booleanValue()).isTrue();
        assertThat(api.get("/models?limit=1000").body().valueStream().map(m -> m.get("id").stringValue())).contains(id);
    }

    @Test
    void stateDictOfNet2IsItsWeightAndBias() {
        String id = api.create(BadInputTest.NET);
        JsonNode state = api.get("/models/" + id + "/state-dict?module=2").body();
        assertThat(state.propertyNames()).containsExactly("weight", "bias");
        assertThat(state.get("weight").get("shape").toString()).isEqualTo("[1,8]");
        List<String> names = new ArrayList<>();
        api.get("/models/" + id + "/parameters").body().forEach(p -> names.add(p.get("name").stringValue()));
        assertThat(names).containsExactly("0.weight", "0.bias", "2.weight", "2.bias");
    }

    @Test
    void nestedBlocksPrintAsPyTorchPrintsThem() {
        Map<String, Object> block1 = Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "ReLU"),
                Map.of("type", "Linear", "in_features", 8, "out_features", 4), Map.of("type", "ReLU")));
        List<Object> blocks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Map<String, Object> named = new java.util.HashMap<>(block1);
            named.put("name", "block " + i);
            blocks.add(named);
        }
        String id = api.create(Map.of("model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Sequential", "layers", blocks), Map.of("type", "Linear", "in_features", 4, "out_features", 1)))));
        String repr = api.get("/models/" + id).body().get("repr").stringValue();
        assertThat(repr).startsWith("Sequential(\n  (0): Sequential(\n    (block 0): Sequential(\n"
                + "      (0): Linear(in_features=4, out_features=8, bias=True)\n      (1): ReLU()\n");
        assertThat(repr).endsWith("  )\n  (1): Linear(in_features=4, out_features=1, bias=True)\n)");
        JsonNode bias = api.get("/models/" + id + "/parameters/" + HttpApi.encode("0.block 1.0.bias")).body();
        assertThat(bias.get("shape").toString()).isEqualTo("[8]");
    }

    @Test
    void aMinimalWriteAnswers204WithoutTheParameter() {
        String id = api.create(TIED);
        HttpApi.Answer write = api.sendWith("PATCH", "/models/" + id + "/parameters/2.weight", Map.of("index", List.of(0, 1), "value", 7),
                "Prefer", "return=minimal");
        assertThat(write.status()).isEqualTo(204);
        assertThat(write.body()).isNull();
        assertThat(write.raw().headers().firstValue("Preference-Applied")).contains("return=minimal");
        JsonNode read = api.get("/models/" + id + "/parameters/2.weight").body();
        assertThat(read.get("data").get("data").get(0).get(1).doubleValue()).isEqualTo(7.0);
        assertThat(api.get("/models/" + id).body().get("version").longValue()).as("a durable change, as without the header").isEqualTo(2);
    }

    @Test
    void aWriteThroughOneTiedPathIsSeenThroughTheOther() {
        String id = api.create(TIED);
        HttpApi.Answer write = api.patch("/models/" + id + "/parameters/2.weight", Map.of("index", List.of(0, 0), "value", 100));
        assertThat(write.status()).isEqualTo(200);
        JsonNode through4 = api.get("/models/" + id + "/parameters/4.weight").body();
        assertThat(through4.get("data").get("data").get(0).get(0).doubleValue()).isEqualTo(100.0);
        assertThat(through4.get("aliases").toString()).isEqualTo("[\"2.weight\"]");

        JsonNode params = api.get("/models/" + id + "/parameters").body();
        assertThat(params.valueStream().map(p -> p.get("name").stringValue()))
                .containsExactly("0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias");
        JsonNode state = api.get("/models/" + id + "/state-dict").body();
        assertThat(state.propertyNames()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias",
                "6.weight", "6.bias");
        JsonNode modules = api.get("/models/" + id + "/modules").body();
        assertThat(modules.valueStream().map(m -> m.get("path").stringValue())).containsExactly("", "0", "1", "2", "3", "5", "6");
        assertThat(modules.get(3).get("aliases").toString()).isEqualTo("[\"4\"]");
    }

    @Test
    void requiresGradFalseStopsAccumulation() {
        String id = api.create(BadInputTest.NET);
        api.patch("/models/" + id + "/parameters/0.bias", Map.of("requires_grad", false));
        api.post("/models/" + id + "/backward", Map.of("input", List.of(List.of(1, 2, 3, 4)), "loss", "sum"));
        JsonNode bias = api.get("/models/" + id + "/parameters/0.bias").body();
        assertThat(bias.get("requires_grad").booleanValue()).isFalse();
        assertThat(bias.get("grad").isNull()).isTrue();
        assertThat(api.get("/models/" + id + "/parameters/0.weight").body().get("grad").isNull()).isFalse();
    }

    @Test
    void evalModeIsReportedAndDeleteForgets() {
        String id = api.create(BadInputTest.NET);
        assertThat(api.patch("/models/" + id, Map.of("training", false, "name", "net")).body().get("training").booleanValue()).isFalse();
        assertThat(api.get("/models/" + id).body().get("name").stringValue()).isEqualTo("net");
        assertThat(api.delete("/models/" + id).status()).isEqualTo(204);
        assertThat(api.get("/models/" + id).status()).isEqualTo(404);
    }

    @Test
    void nonFiniteValuesTravelAsStrings() {
        String id = api.create(BadInputTest.NET);
        api.patch("/models/" + id + "/parameters/2.bias", Map.of("index", List.of(0), "value", "NaN"));
        JsonNode out = api.post("/models/" + id + "/forward", Map.of("input", List.of(List.of(1, 2, 3, 4)))).body();
        assertThat(out.get("output").get("data").get(0).get(0).stringValue()).isEqualTo("NaN");
    }
}
