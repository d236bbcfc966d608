package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code import} case (JSON, safetensors, torch.save) through {@code PUT /models/{id}/state-dict}
 * with the case's query: PyTorch's load result and values exactly, or the refusal with its detail
 * and nothing loaded; the hostile pickles never run anything.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ImportConformanceTest {
    static final Path PWNED = Path.of("/tmp/paramlab-conformance-pwned");

    @LocalServerPort
    int port;

    static Stream<Arguments> imports() throws Exception {
        return Conformance.cases("import");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("imports")
    void matchesPyTorch(JsonNode c) throws Exception {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(c.get("create"));
        JsonNode before = api.get(model + "/state-dict").body();
        byte[] file;
        try (InputStream in = getClass().getResourceAsStream("/conformance/" + c.get("file").stringValue())) {
            file = in.readAllBytes();
        }
        String query = c.get("query").properties().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue().asString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String type = c.get("format").stringValue().equals("json") ? "application/json" : "application/octet-stream";

        HttpApi.Answer answer = api.putBytes(model + "/state-dict?" + query, type, file);

        assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(c.get("expect_status").intValue());
        JsonNode after = api.get(model + "/state-dict").body();
        if (answer.status() == 200) {
            assertThat(answer.body()).isEqualTo(c.get("expect_load_result"));
            answer.body().get("missing_keys").forEach(k ->    // a key the file lacks keeps its value
                    assertThat(after.get(k.stringValue())).as(k.stringValue()).isEqualTo(before.get(k.stringValue())));
            JsonNode expected = c.get("expect_state_dict");
            if (expected == null) {
                return;
            }
            assertThat(after.propertyNames()).containsExactlyInAnyOrderElementsOf(expected.propertyNames());
            expected.properties().forEach(e ->
                    Conformance.assertTensor("state_dict: " + e.getKey(), e.getValue(), after.get(e.getKey()), true));
        } else {
            assertThat(answer.contentType()).startsWith("application/problem+json");
            if (c.has("expect_detail_contains")) {
                assertThat(answer.body().get("detail").stringValue()).contains(c.get("expect_detail_contains").stringValue());
            }
            if (answer.status() == 400) {
                assertThat(answer.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:invalid-file");
                assertThat(answer.body().get("rule").stringValue()).isNotEmpty();
            }
            assertThat(after).isEqualTo(before);
        }
        assertThat(PWNED).as("a hostile pickle ran something").doesNotExist();
    }
}
