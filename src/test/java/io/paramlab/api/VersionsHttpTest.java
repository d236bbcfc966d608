package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Versions and conditional requests as a client meets them: version and updated_at, ETag on the
 * model and its state dict, If-None-Match → 304, If-Match → 412 with nothing changed, history in
 * order, the paged model list with its Link header.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VersionsHttpTest {
    @LocalServerPort
    int port;

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void versionsStepWithDurableChangesAndConditionalRequestsHold() throws Exception {
        HttpApi api = new HttpApi(port);
        String id = api.create(BadInputTest.NET);
        String model = "/models/" + id;
        HttpResponse<String> first = send("GET", model, null);
        assertThat(first.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(HttpApi.JSON.readTree(first.body()).get("version").longValue()).isEqualTo(1);

        // unchanged: 304 without a body
        assertThat(send("GET", model, null, "If-None-Match", "\"1\"").statusCode()).isEqualTo(304);
        assertThat(send("GET", model + "/state-dict", null, "If-None-Match", "\"1\"").statusCode()).isEqualTo(304);

        // a durable change moves the version; gradients and eval forwards do not
        assertThat(send("PATCH", model + "/parameters/0.bias", "{\"index\": [0], \"value\": 1}", "If-Match", "\"1\"").statusCode())
                .isEqualTo(200);
        api.post(model + "/backward", Map.of("input", List.of(List.of(1, 2, 3, 4)), "loss", "sum"));
        api.post(model + "/forward", Map.of("input", List.of(List.of(1, 2, 3, 4))));
        JsonNode info = api.get(model).body();
        assertThat(info.get("version").longValue()).isEqualTo(2);
        assertThat(send("GET", model, null, "If-None-Match", "\"1\"").statusCode()).isEqualTo(200);
        assertThat(send("GET", model + "/state-dict", null).headers().firstValue("ETag")).hasValue("\"2\"");

        // a client that read version 1 cannot overwrite version 2 unseen
        JsonNode before = api.get(model + "/state-dict").body();
        HttpResponse<String> stale = send("PATCH", model + "/parameters/0.bias", "{\"index\": [0], \"value\": 7}", "If-Match", "\"1\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(stale.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = HttpApi.JSON.readTree(stale.body());
        assertThat(problem.get("expected").longValue()).isEqualTo(1);
        assertThat(problem.get("actual").longValue()).isEqualTo(2);
        assertThat(api.get(model + "/state-dict").body()).isEqualTo(before);
        assertThat(send("POST", model + "/init", "{\"rules\": [{\"params\": {\"bias\": {\"type\": \"zeros\"}}}]}", "If-Match", "\"1\"")
                .statusCode()).isEqualTo(412);
        assertThat(send("PATCH", model, "{\"name\": \"n\"}", "If-Match", "\"2\"").statusCode()).isEqualTo(200);

        // history: newest first, one entry a version
        JsonNode history = api.get(model + "/history?limit=10").body();
        List<String> operations = new ArrayList<>();
        history.forEach(h -> operations.add(h.get("version").longValue() + " " + h.get("operation").stringValue()));
        assertThat(operations).containsExactly("3 patch", "2 parameter.patch", "1 create");
        assertThat(history.get(0).get("actor").stringValue()).isEqualTo("anonymous");
    }

    @Test
    void theModelListIsPagedWithALinkToTheNextPage() throws Exception {
        HttpApi api = new HttpApi(port);
        for (int i = 0; i < 3; i++) {
            api.create(BadInputTest.NET);
        }
        List<String> seen = new ArrayList<>();
        String next = "/models?limit=2";
        int pages = 0;
        while (next != null && pages++ < 10_000) {
            HttpResponse<String> page = send("GET", next, null);
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = HttpApi.JSON.readTree(page.body());
            assertThat(body.size()).isLessThanOrEqualTo(2);
            body.forEach(m -> seen.add(m.get("id").stringValue()));
            next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf("/models"), l.indexOf('>'))).orElse(null);
        }
        assertThat(seen).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(3);
        assertThat(send("GET", "/models?limit=0", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/models?after=not-a-cursor", null).statusCode()).isEqualTo(400);
    }
}
