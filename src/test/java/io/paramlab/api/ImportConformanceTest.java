package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code import} cases through {@code PUT /models/{id}/state-dict}: PyTorch's load semantics
 * (here, a dict without {@code _metadata} fills BatchNorm's missing num_batches_tracked with 0),
 * and on a refusal nothing loaded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ImportConformanceTest {
    @LocalServerPort
    int port;

    static Stream<Arguments> jsonImports() throws Exception {
        return Conformance.cases("import").filter(a -> ((JsonNode) ((org.junit.jupiter.api.Named<?>) a.get()[0]).getPayload())
                .get("format").stringValue().equals("json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jsonImports")
    void matchesPyTorch(JsonNode c) throws Exception {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(c.get("create"));
        JsonNode before = api.get(model + "/state-dict").body();
        JsonNode file;
        try (InputStream in = getClass().getResourceAsStream("/conformance/" + c.get("file").stringValue())) {
            file = HttpApi.JSON.readTree(in);
        }
        String query = c.get("query").properties().stream().map(e -> e.getKey() + "=" + e.getValue().asString())
                .collect(Collectors.joining("&"));
        HttpApi.Answer answer = api.put(model + "/state-dict?" + query, file);
        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(c.get("expect_status").intValue());
        JsonNode after = api.get(model + "/state-dict").body();
        if (answer.status() == 200) {
            assertThat(answer.body()).isEqualTo(c.get("expect_load_result"));
            c.get("expect_state_dict").properties().forEach(e ->
                    Conformance.assertTensor("state_dict: " + e.getKey(), e.getValue(), after.get(e.getKey()), true));
        } else {
            assertThat(after).isEqualTo(before);
        }
    }
}
