package io.paramlab.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code stats_*} case through HTTP, as a client sees it: create, load the state dict, run
 * the steps, then {@code GET /models/{id}/stats?bins=} against PyTorch's answer, with the engine
 * test's tolerances.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StatsHttpConformanceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    static Stream<Arguments> statsCases() throws Exception {
        return TensorStatsConformanceTest.statsCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statsCases")
    void matchesPyTorchThroughHttp(JsonNode c) throws Exception {
        String model = "/models/" + send("POST", "/models", c.get("create"), 201).get("id").stringValue();
        send("PUT", model + "/state-dict?strict=true", c.get("state_dict"), 200);
        for (JsonNode step : c.get("steps")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("input", step.get("input"));
            body.put("loss", step.get("loss"));
            if (step.has("target")) {
                body.put("target", step.get("target"));
            }
            send("POST", model + "/backward", body, 200);
        }
        JsonNode answer = send("GET", model + "/stats?bins=" + c.get("bins").intValue(), null, 200);
        JsonNode expect = c.get("expect");
        assertThat(answer.get("parameters").size()).isEqualTo(expect.get("parameters").size());
        for (int i = 0; i < answer.get("parameters").size(); i++) {
            JsonNode actual = answer.get("parameters").get(i);
            JsonNode want = expect.get("parameters").get(i);
            String at = "parameter " + want.get("name").stringValue();
            TensorStatsConformanceTest.assertEntry(at, want, actual.get("name").stringValue(), shape(actual), actual.get("numel").intValue());
            TensorStatsConformanceTest.assertStats(at + " data", want.get("data"), stats(actual.get("data")));
            if (want.get("grad").isNull()) {
                assertThat(actual.get("grad").isNull()).as(at + " grad").isTrue();
            } else if (TensorStatsConformanceTest.isRoundingNoise(want.get("grad"))) {
                TensorStatsConformanceTest.assertNoise(at + " grad", want.get("grad"), stats(actual.get("grad")));
            } else {
                TensorStatsConformanceTest.assertStats(at + " grad", want.get("grad"), stats(actual.get("grad")));
            }
            assertThat(actual.get("update_ratio").isNull()).as(at + " update_ratio without an optimizer").isTrue();
        }
        assertThat(answer.get("buffers").size()).isEqualTo(expect.get("buffers").size());
        for (int i = 0; i < answer.get("buffers").size(); i++) {
            JsonNode actual = answer.get("buffers").get(i);
            JsonNode want = expect.get("buffers").get(i);
            String at = "buffer " + want.get("name").stringValue();
            TensorStatsConformanceTest.assertEntry(at, want, actual.get("name").stringValue(), shape(actual), actual.get("numel").intValue());
            TensorStatsConformanceTest.assertStats(at + " data", want.get("data"), stats(actual.get("data")));
        }
    }

    private static int[] shape(JsonNode entry) {
        int[] shape = new int[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = entry.get("shape").get(i).intValue();
        return shape;
    }

    /** The answer's STATS object as the engine's record, non-finite strings read as numbers. */
    private static TensorStats stats(JsonNode s) {
        JsonNode h = s.get("histogram");
        TensorStats.Histogram histogram = null;
        if (!h.isNull()) {
            double[] edges = new double[h.get("edges").size()];
            for (int i = 0; i < edges.length; i++) edges[i] = CaseModels.number(h.get("edges").get(i));
            long[] counts = new long[h.get("counts").size()];
            for (int i = 0; i < counts.length; i++) counts[i] = h.get("counts").get(i).longValue();
            histogram = new TensorStats.Histogram(edges, counts);
        }
        return new TensorStats(s.get("nan_count").longValue(), s.get("inf_count").longValue(), CaseModels.number(s.get("zero_fraction")),
                CaseModels.number(s.get("mean")), CaseModels.number(s.get("std")), CaseModels.number(s.get("min")),
                CaseModels.number(s.get("max")), CaseModels.number(s.get("l2_norm")), histogram);
    }

    private JsonNode send(String method, String path, Object body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }
}
