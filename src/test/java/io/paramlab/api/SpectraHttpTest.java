package io.paramlab.api;

import io.paramlab.nn.spectra.SingularValues;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /models/{id}/spectra}'s promises beyond the numbers (SpectraConformanceTest has those):
 * the work limit answered before any singular value, the cache per model version (counted in
 * LAPACK calls), ETag and 304, and bad parameters named.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"paramlab.limits.max-spectra-work=5000000", "paramlab.limits.max-activation-elements=100000"})
class SpectraHttpTest {
    @LocalServerPort
    int port;

    private static Map<String, Object> mlp(int... widths) {
        List<Map<String, Object>> layers = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            layers.add(Map.of("type", "Linear", "in_features", widths[i], "out_features", widths[i + 1]));
        }
        return Map.of("model", Map.of("type", "Sequential", "layers", layers), "seed", 3);
    }

    @Test
    void pastTheWorkLimitA413NamesTheLayerAndTheLimitBeforeAnySingularValue() {
        HttpApi api = new HttpApi(port);
        // 0.weight: 60·20² = 24,000; 1.weight: 200·200² = 8,000,000, past 5,000,000
        String model = "/models/" + api.create(mlp(20, 60, 200, 200));
        long before = SingularValues.calls();
        HttpApi.Answer answer = api.get(model + "/spectra");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(413);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("limit").stringValue()).isEqualTo("max-spectra-work");
        assertThat(answer.body().get("maximum").longValue()).isEqualTo(5_000_000L);
        assertThat(answer.body().get("actual").longValue()).isEqualTo(24_000L + 8_000_000L + 200L * 60 * 60);
        assertThat(answer.body().get("detail").stringValue()).contains("\"2.weight\"").contains("paramlab.limits.max-spectra-work");
        assertThat(SingularValues.calls()).as("no SVD before the refusal").isEqualTo(before);
        // a module within the limit is fine
        assertThat(api.get(model + "/spectra?module=0").status()).isEqualTo(200);
    }

    @Test
    void copiesPastTheRequestsElementBudgetAre413BeforeAnyCopy() {
        HttpApi api = new HttpApi(port);
        // work 300·100² = 3,000,000 is within 5,000,000; the copy holds 30,000 + 4 · 30,000 float elements, past 100,000
        String model = "/models/" + api.create(mlp(100, 300));
        long before = SingularValues.calls();
        HttpApi.Answer answer = api.get(model + "/spectra");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(413);
        assertThat(answer.body().get("limit").stringValue()).isEqualTo("max-activation-elements");
        assertThat(answer.body().get("actual").longValue()).isEqualTo(150_000L);
        assertThat(SingularValues.calls()).isEqualTo(before);
    }

    @Test
    void theAnswerIsCachedPerVersionAndTaggedWithIt() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(mlp(16, 32, 24));
        long before = SingularValues.calls();
        HttpApi.Answer first = api.get(model + "/spectra?bins=20");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("ETag")).isEqualTo("\"1\"");
        assertThat(SingularValues.calls() - before).as("one SVD per layer").isEqualTo(2);

        HttpApi.Answer second = api.get(model + "/spectra?bins=20");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(SingularValues.calls() - before).as("the second call does no SVD").isEqualTo(2);
        assertThat(api.getWithHeader(model + "/spectra?bins=20", "If-None-Match", "\"1\"").status()).isEqualTo(304);

        api.get(model + "/spectra?bins=21");   // other parameters: another answer
        assertThat(SingularValues.calls() - before).isEqualTo(4);

        // a change moves the version: computed again, from the new values
        assertThat(api.patch(model + "/parameters/0.weight", Map.of("index", List.of(0, 0), "value", 100)).status()).isEqualTo(200);
        HttpApi.Answer changed = api.get(model + "/spectra?bins=20");
        assertThat(changed.header("ETag")).isEqualTo("\"2\"");
        assertThat(SingularValues.calls() - before).isEqualTo(6);
        JsonNode layer = changed.body().get("layers").get(0);
        assertThat(layer.get("lambda_max").doubleValue()).isGreaterThan(1e4 - 1);
    }

    @Test
    void badParametersAreA400NamingTheField() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(mlp(16, 32));
        assertField(api.get(model + "/spectra?bins=0"), "bins", "bins must be from 1 to 1000, got 0");
        assertField(api.get(model + "/spectra?bins=1001"), "bins", "got 1001");
        assertField(api.get(model + "/spectra?min_evals=0"), "min_evals", "min_evals must be at least 1, got 0");
        assertThat(api.get(model + "/spectra?min_evals=ten").status()).isEqualTo(400);
        // a whole number past an int was "must be an integer, got \"2147483648\"": now the range it must be in
        assertField(api.get(model + "/spectra?min_evals=2147483648"), "min_evals",
                "must be an integer from -2147483648 to 2147483647, got \"2147483648\"");
        assertThat(api.get(model + "/spectra?module=7").status()).isEqualTo(404);
        assertThat(api.get("/models/nope/spectra").status()).isEqualTo(404);
    }

    @Test
    void uninitializedLazyParametersAre422() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(Map.of("model", Map.of("type", "LazyLinear", "out_features", 16)));
        HttpApi.Answer answer = api.get(model + "/spectra");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(422);
    }

    private static void assertField(HttpApi.Answer answer, String field, String message) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(400);
        assertThat(answer.body().get("errors").get(0).get("field").stringValue()).isEqualTo(field);
        assertThat(answer.body().get("errors").get(0).get("message").stringValue()).contains(message);
    }
}
