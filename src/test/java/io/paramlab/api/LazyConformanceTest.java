package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code lazy} cases: LazyLinear listed with no shape until the first forward, which infers
 * in_features and draws weight then bias from the model's generator, bit for bit as PyTorch.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LazyConformanceTest {
    private static final Map<String, Object> NET = Map.of("seed", 1, "model", Map.of("type", "Sequential", "layers", List.of(
            Map.of("type", "LazyLinear", "out_features", 8), Map.of("type", "ReLU"), Map.of("type", "LazyLinear", "out_features", 1))));

    @LocalServerPort
    int port;

    static Stream<Arguments> lazyCases() throws Exception {
        return Conformance.cases("lazy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lazyCases")
    void matchesPyTorch(JsonNode c) {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(c.get("create"));
        assertStructure(api, model, c.get("expect_structure_before"));
        for (JsonNode step : c.get("steps")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("input", step.get("input"));
            body.put("loss", step.get("loss"));
            if (step.has("target")) {
                body.put("target", step.get("target"));
            }
            HttpApi.Answer out = api.post(model + "/backward", body);
            assertThat(out.status()).as(out.body().toString()).isEqualTo(200);
            Conformance.assertClose("loss", step.get("expect").get("loss").doubleValue(), out.body().get("loss").doubleValue());
            Conformance.assertTensor("output", step.get("expect").get("output"), out.body().get("output"), false);
            JsonNode params = api.get(model + "/parameters?include=grad").body();
            for (JsonNode p : params) {
                Conformance.assertTensor("grad of " + p.get("name"), step.get("expect").get("grads").get(p.get("name").stringValue()),
                        p.get("grad"), false);
            }
        }
        assertStructure(api, model, c.get("expect_structure_after"));
        JsonNode after = api.get(model + "/state-dict").body();
        c.get("expect_state_dict_after").properties().forEach(e ->
                Conformance.assertTensor("state_dict after: " + e.getKey(), e.getValue(), after.get(e.getKey()), c.get("exact").booleanValue()));
    }

    private static void assertStructure(HttpApi api, String model, JsonNode structure) {
        JsonNode info = api.get(model).body();
        assertThat(info.get("repr").stringValue()).isEqualTo(structure.get("repr").stringValue());
        assertThat(info.get("parameter_count").longValue()).isEqualTo(structure.get("parameter_count").longValue());
        List<String> names = new ArrayList<>();
        api.get(model + "/parameters").body().forEach(p -> names.add(p.get("name").stringValue() + " " + p.get("shape")));
        List<String> expectedNames = new ArrayList<>();
        structure.get("named_parameters").forEach(p -> expectedNames.add(p.get(0).stringValue() + " " + p.get(1)));
        assertThat(names).as("named_parameters").isEqualTo(expectedNames);
        List<String> keys = new ArrayList<>();
        api.get(model + "/state-dict").body().properties().forEach(e -> keys.add(e.getKey() + " " + e.getValue().get("shape")));
        List<String> expectedKeys = new ArrayList<>();
        structure.get("state_dict").forEach(k -> expectedKeys.add(k.get(0).stringValue() + " " + k.get(1)));
        assertThat(keys).as("state_dict keys and shapes").isEqualTo(expectedKeys);
    }

    @Test
    void aLazyNetDrawsWhatTheEagerNetDrawsAndItsSpecBecomesLinear() {
        HttpApi api = new HttpApi(port);
        String lazy = "/models/" + api.create(NET);
        String eager = "/models/" + api.create(Map.of("seed", 1, "model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 4, "out_features", 8), Map.of("type", "ReLU"),
                Map.of("type", "Linear", "in_features", 8, "out_features", 1)))));
        JsonNode uninitialized = api.get(lazy + "/parameters/0.weight").body();
        assertThat(uninitialized.get("shape").isNull()).isTrue();
        assertThat(uninitialized.get("initialized").booleanValue()).isFalse();
        assertThat(api.get(lazy + "/state-dict").body().get("0.weight").get("initialized").booleanValue()).isFalse();

        HttpApi.Answer forward = api.post(lazy + "/forward", Map.of("input", List.of(List.of(0.1, 0.2, 0.3, 0.4))));
        assertThat(forward.status()).isEqualTo(200);
        assertThat(api.get(lazy + "/state-dict").body()).isEqualTo(api.get(eager + "/state-dict").body());
        JsonNode spec = api.get(lazy).body().get("spec").get("model").get("layers").get(0);
        assertThat(spec.get("type").stringValue()).isEqualTo("Linear");
        assertThat(spec.get("in_features").intValue()).isEqualTo(4);
    }

    @Test
    void initPatchAndPartialLoadOfAnUninitializedLayerAre422AndChangeNothing() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(NET);
        JsonNode before = api.get(model + "/state-dict").body();

        HttpApi.Answer init = api.post(model + "/init", Map.of("rules", List.of(Map.of("params", Map.of("weight", Map.of("type", "zeros"))))));
        assertThat(init.status()).isEqualTo(422);
        assertThat(init.body().get("detail").stringValue()).contains("0.weight: Attempted to use an uninitialized parameter");

        HttpApi.Answer patch = api.patch(model + "/parameters/0.weight", Map.of("index", List.of(0, 0), "value", 1));
        assertThat(patch.status()).isEqualTo(422);
        assertThat(patch.body().get("detail").stringValue()).contains("uninitialized parameter");

        HttpApi.Answer partial = api.put(model + "/state-dict?strict=false", Map.of("0.weight",
                Map.of("shape", List.of(8, 3), "data", new float[24])));
        assertThat(partial.status()).isEqualTo(422);
        assertThat(partial.body().get("detail").stringValue()).contains("must give all of its parameters");
        assertThat(api.get(model + "/state-dict").body()).isEqualTo(before);
        assertThat(api.get(model).body().get("repr").stringValue()).contains("LazyLinear(in_features=0, out_features=8");
    }

    @Test
    void aLoadIntoAnUninitializedLayerTakesTheLoadedShapes() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(NET);
        HttpApi.Answer load = api.put(model + "/state-dict?strict=false", Map.of(
                "0.weight", Map.of("shape", List.of(8, 3), "data", new float[24]),
                "0.bias", Map.of("shape", List.of(8), "data", new float[8])));
        assertThat(load.status()).as(load.body().toString()).isEqualTo(200);
        assertThat(load.body().get("missing_keys").toString()).isEqualTo("[\"2.weight\",\"2.bias\"]");
        JsonNode info = api.get(model).body();
        assertThat(info.get("repr").stringValue()).contains("(0): Linear(in_features=3, out_features=8, bias=True)")
                .contains("(2): LazyLinear(in_features=0, out_features=1, bias=True)");
        assertThat(info.get("parameter_count").longValue()).isEqualTo(32);
    }

    @Test
    void aFirstForwardThatFailsLeavesTheLayersUninitialized() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(NET);
        // the first layer materializes, then mse refuses the target's shape: everything goes back
        HttpApi.Answer bad = api.post(model + "/backward", Map.of("input", List.of(List.of(1, 2, 3, 4)), "loss", "mse",
                "target", List.of(1, 2, 3)));
        assertThat(bad.status()).isEqualTo(422);
        JsonNode info = api.get(model).body();
        assertThat(info.get("parameter_count").longValue()).isZero();
        assertThat(info.get("repr").stringValue()).contains("(0): LazyLinear(in_features=0");
        assertThat(api.get(model + "/parameters/0.weight").body().get("shape").isNull()).isTrue();
    }
}
