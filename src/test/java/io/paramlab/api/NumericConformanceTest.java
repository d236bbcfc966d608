package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every numeric conformance case (no "kind") through the HTTP API: create the model, check
 * its structure, load PyTorch's values, then each forward, backward and zero_grad step.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NumericConformanceTest {
    @LocalServerPort
    int port;

    static Stream<Arguments> numericCases() throws Exception {
        return Conformance.cases("");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCases")
    void matchesPyTorch(JsonNode c) {
        HttpApi api = new HttpApi(port);
        String id = api.create(c.get("create"));
        String model = "/models/" + id;

        JsonNode structure = c.get("expect_structure");
        JsonNode info = api.get(model).body();
        assertThat(info.get("repr").stringValue()).isEqualTo(structure.get("repr").stringValue());
        assertThat(info.get("parameter_count").longValue()).isEqualTo(structure.get("parameter_count").longValue());

        List<List<Object>> names = new ArrayList<>();
        api.get(model + "/parameters").body().forEach(p -> names.add(List.of(p.get("name").stringValue(), p.get("shape").toString())));
        List<List<Object>> expectedNames = new ArrayList<>();
        structure.get("named_parameters").forEach(p -> expectedNames.add(List.of(p.get(0).stringValue(), p.get(1).toString())));
        assertThat(names).as("named_parameters").isEqualTo(expectedNames);

        List<String> keys = new ArrayList<>();
        api.get(model + "/state-dict").body().properties().forEach(e ->
                keys.add(e.getKey() + " " + e.getValue().get("shape") + " " + e.getValue().get("dtype").stringValue()));
        List<String> expectedKeys = new ArrayList<>();
        structure.get("state_dict").forEach(k -> expectedKeys.add(k.get(0).stringValue() + " " + k.get(1) + " " + k.get(2).stringValue()));
        assertThat(keys).as("state_dict keys, shapes, dtypes").isEqualTo(expectedKeys);

        if ("eval".equals(c.get("mode").stringValue())) {
            assertThat(api.patch(model, Map.of("training", false)).status()).isEqualTo(200);
        }
        HttpApi.Answer load = api.put(model + "/state-dict?strict=true", c.get("state_dict"));
        assertThat(load.status()).as("load " + load.body()).isEqualTo(200);

        int n = 0;
        for (JsonNode step : c.get("steps")) {
            String at = "step " + (n++) + " (" + step.get("op").stringValue() + ")";
            JsonNode expect = step.get("expect");
            switch (step.get("op").stringValue()) {
                case "forward" -> {
                    HttpApi.Answer out = api.post(model + "/forward", Map.of("input", step.get("input")));
                    assertThat(out.status()).as(at + " " + out.body()).isEqualTo(200);
                    Conformance.assertTensor(at + " output", expect.get("output"), out.body().get("output"), false);
                }
                case "backward" -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put("input", step.get("input"));
                    body.put("loss", step.get("loss"));
                    if (step.has("target")) {
                        body.put("target", step.get("target"));
                    }
                    HttpApi.Answer out = api.post(model + "/backward", body);
                    assertThat(out.status()).as(at + " " + out.body()).isEqualTo(200);
                    Conformance.assertClose(at + " loss", expect.get("loss").doubleValue(), out.body().get("loss").doubleValue());
                    Conformance.assertTensor(at + " output", expect.get("output"), out.body().get("output"), false);
                    assertGrads(api, model, expect.get("grads"), at);
                }
                case "zero_grad" -> {
                    assertThat(api.post(model + "/zero-grad", Map.of()).status()).isEqualTo(204);
                    assertGrads(api, model, expect.get("grads"), at);
                }
                default -> throw new AssertionError("unknown op " + step.get("op"));
            }
        }
        JsonNode after = api.get(model + "/state-dict").body();
        c.get("expect_state_dict_after").properties().forEach(e ->
                Conformance.assertTensor("state_dict after: " + e.getKey(), e.getValue(), after.get(e.getKey()), false));
        assertThat(api.delete(model).status()).isEqualTo(204);
    }

    private static void assertGrads(HttpApi api, String model, JsonNode expected, String at) {
        JsonNode params = api.get(model + "/parameters?include=grad").body();
        assertThat(params.size()).isEqualTo(expected.size());
        for (JsonNode p : params) {
            String name = p.get("name").stringValue();
            JsonNode want = expected.get(name);
            if (want == null || want.isNull()) {
                assertThat(p.get("grad").isNull()).as(at + " grad of " + name + " is null").isTrue();
            } else {
                Conformance.assertTensor(at + " grad of " + name, want, p.get("grad"), false);
            }
        }
    }
}
