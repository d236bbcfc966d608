package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seeded conformance cases through HTTP: "create" (what a seed draws at construction) and
 * "init" (rules applied under a seed); cases marked exact must agree bit for bit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InitConformanceTest {
    @LocalServerPort
    int port;

    static Stream<Arguments> createCases() throws Exception {
        return Conformance.cases("create");
    }

    static Stream<Arguments> initCases() throws Exception {
        return Conformance.cases("init");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("createCases")
    void seededCreationDrawsWhatPyTorchDraws(JsonNode c) {
        HttpApi api = new HttpApi(port);
        String id = api.create(c.get("create"));
        assertThat(api.get("/models/" + id).body().get("seed").longValue()).isEqualTo(c.get("create").get("seed").longValue());
        assertStateDict(api, id, c.get("expect_state_dict"), c.get("exact").booleanValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("initCases")
    void initRulesDrawWhatPyTorchDraws(JsonNode c) {
        HttpApi api = new HttpApi(port);
        String id = api.create(c.get("create"));
        assertThat(api.put("/models/" + id + "/state-dict", c.get("state_dict_before")).status()).isEqualTo(200);
        HttpApi.Answer answer = api.post("/models/" + id + "/init", c.get("init"));
        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
        List<String> initialized = new ArrayList<>();
        answer.body().get("initialized").forEach(i -> initialized.add(i.get("name").stringValue() + " " + i.get("shape")));
        List<String> expected = new ArrayList<>();
        c.get("expect_initialized").forEach(i -> expected.add(i.get(0).stringValue() + " " + i.get(1)));
        assertThat(initialized).isEqualTo(expected);
        assertStateDict(api, id, c.get("expect_state_dict"), c.get("exact").booleanValue());
    }

    private static void assertStateDict(HttpApi api, String id, JsonNode expected, boolean exact) {
        JsonNode state = api.get("/models/" + id + "/state-dict").body();
        assertThat(state.propertyNames()).containsExactlyElementsOf(expected.propertyNames());
        expected.properties().forEach(e -> Conformance.assertTensor(e.getKey(), e.getValue(), state.get(e.getKey()), exact));
    }
}
