package io.paramlab.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory attack set against a service in its own JVM with -Xmx256m and no limit configured:
 * the budgets derived from the heap must refuse what does not fit with clean 4xx problems. Three
 * 16M-parameter models (as many as the budget allows), their state dicts streamed, a forward just
 * under the activation limit, four such forwards at once, an init with a million invalid
 * layer types, bodies over the limit and large bodies at once, a LazyLinear whose first forward would
 * materialize 6.4 GB, a safetensors header declaring 400 MB of float32 it does not send: no 5xx, no dropped connection,
 * every error a whole problem, the process alive without an OutOfMemoryError, models unchanged.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SmallHeapAttackTest {
    static final int FEATURES = 4000;
    static final String SPEC = "{\"seed\": 1, \"model\": {\"type\": \"Linear\", \"in_features\": 4000, \"out_features\": 4000}}";

    static ServiceProcess service;
    static String base;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, String contentType, String text, long bytes) {
    }

    @BeforeAll
    static void startServiceWith256MB() throws Exception {
        service = ServiceProcess.start("256m", List.of("--paramlab.data-dir=" + Files.createTempDirectory("paramlab-attack-data")));
        base = service.base();
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            Files.writeString(Path.of("target", "small-heap-attack.log"), service.log());
            service.close();
        }
    }

    @Test
    void theAttackSetGetsClean4xxAndChangesNothing() throws Exception {
        // as many 16M-parameter models as the budget allows; the rest are 413 max-total-parameters
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Answer created = checked(send("POST", "/models", SPEC));
            if (created.status() == 201) {
                held.add(json(created).get("id").stringValue());
            } else {
                assertThat(created.status()).isEqualTo(413);
                assertThat(json(created).get("limit").stringValue()).isEqualTo("max-total-parameters");
            }
        }
        assertThat(held).isNotEmpty();
        String id = held.get(0);
        String infoBefore = send("GET", "/models/" + id, null).text();
        String biasBefore = send("GET", "/models/" + id + "/parameters/bias", null).text();

        // every state dict streams out whole (16M values, about 190 MB of JSON each)
        for (String m : held) {
            Answer out = checked(send("GET", "/models/" + m + "/state-dict", null));
            assertThat(out.status()).isEqualTo(200);
            assertThat(out.bytes()).isGreaterThan(16_000_000L * 2);
        }

        // the lazy-layer attack (issue #23 item 3): a LazyLinear whose first forward would materialize a 40000 x 40000
        // weight (6.4 GB) is refused before the weight is allocated, and stays lazy; the held models are untouched
        Answer lazy = checked(send("POST", "/models", "{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 40000}}"));
        assertThat(lazy.status()).as(lazy.text()).isEqualTo(201);
        String lazyId = json(lazy).get("id").stringValue();
        for (int i = 0; i < 2; i++) {
            Answer attack = checked(send("POST", "/models/" + lazyId + "/forward", "{\"input\": [" + zeros(40000) + "]}"));
            assertThat(attack.status()).as(attack.text()).isEqualTo(413);
            assertThat(json(attack).get("limit").stringValue()).isEqualTo("max-parameters-per-model");
        }
        assertThat(checked(send("DELETE", "/models/" + lazyId, null)).status()).isEqualTo(204);
        assertThat(service.isAlive()).as(service.tail()).isTrue();

        // an import whose header declares 100,000,000 bfloat16 values (200 MB: within the binary body limit) and sends
        // none of them: refused from the header, before 400 MB of float32 are allocated (issue #23 item 3, imports)
        Answer declared = checked(sendBytes("PUT", "/models/" + id + "/state-dict?format=safetensors",
                ImportBudgetHttpTest.headerOnly("BF16", 100_000_000, 2)));
        assertThat(declared.status()).as(declared.text()).isEqualTo(413);
        assertThat(json(declared).get("limit").stringValue()).isEqualTo("max-parameters-per-model");
        assertThat(service.isAlive()).as(service.tail()).isTrue();

        // the activation limit, as the service states it, then a forward just under it
        Answer over = checked(send("POST", "/models/" + id + "/forward", forward(2000)));
        int rows;
        if (over.status() == 413 && "max-activation-elements".equals(json(over).get("limit").stringValue())) {
            rows = (int) (json(over).get("maximum").longValue() / FEATURES) - 1;
        } else {
            rows = 2000;
        }
        Answer under = checked(send("POST", "/models/" + id + "/forward", forward(rows)));
        assertThat(under.status()).as("%d rows: %s", rows, under.text()).isIn(200, 413);

        // four such forwards at once, with an init of a million invalid layer types and large bodies beside them
        String millionTypes = "{\"rules\": [{\"layer_types\": [" + "\"x\",".repeat(999_999) + "\"x\"], \"params\": {\"weight\": {\"type\": \"zeros\"}}}]}";
        String tooLarge = "[" + "0,".repeat(12_000_000) + "0]";
        String wrongShape = "{\"weight\": {\"shape\": [" + rows + ", " + FEATURES + "], \"data\": " + zeros(rows * FEATURES) + "}}";
        List<CompletableFuture<Answer>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(CompletableFuture.supplyAsync(() -> send("POST", "/models/" + id + "/forward", forward(rows))));
        }
        all.add(CompletableFuture.supplyAsync(() -> send("POST", "/models/" + id + "/init", millionTypes)));
        all.add(CompletableFuture.supplyAsync(() -> send("POST", "/models/" + id + "/init", millionTypes)));
        all.add(CompletableFuture.supplyAsync(() -> send("POST", "/models", tooLarge)));
        for (int i = 0; i < 3; i++) {
            all.add(CompletableFuture.supplyAsync(() -> send("PUT", "/models/" + id + "/state-dict", wrongShape)));
        }
        for (CompletableFuture<Answer> answer : all) {
            Answer a = checked(answer.get(3, TimeUnit.MINUTES));
            assertThat(a.status()).as(a.text()).isIn(200, 400, 413, 422);
        }
        assertThat(checked(send("POST", "/models/" + id + "/init", millionTypes)).status()).isIn(400, 413);
        assertThat(checked(send("POST", "/models", tooLarge)).status()).isEqualTo(413);

        assertThat(send("GET", "/models/" + id, null).text()).isEqualTo(infoBefore);
        assertThat(send("GET", "/models/" + id + "/parameters/bias", null).text()).isEqualTo(biasBefore);
        assertThat(service.isAlive()).as(service.tail()).isTrue();
        assertThat(service.log()).doesNotContain("OutOfMemoryError");
    }

    private static String forward(int rows) {
        return "{\"input\": {\"shape\": [" + rows + ", " + FEATURES + "], \"data\": " + zeros(rows * FEATURES) + "}}";
    }

    private static String zeros(int n) {
        return "[" + "0,".repeat(n - 1) + "0]";
    }

    /** No 5xx, and an error is a whole problem: type, title, status, detail, and on 413 the limit's fields. */
    private static Answer checked(Answer a) {
        assertThat(a.status()).as("%s\n%s", a.text(), service.tail()).isLessThan(500);
        if (a.status() >= 400) {
            assertThat(a.contentType()).startsWith("application/problem+json");
            JsonNode problem = json(a);
            for (String field : List.of("type", "title", "status", "detail")) {
                assertThat(problem.has(field)).as("%s in %s", field, a.text()).isTrue();
            }
            assertThat(problem.get("status").intValue()).isEqualTo(a.status());
            if (a.status() == 413) {
                assertThat(problem.has("limit") && problem.has("maximum")).as(a.text()).isTrue();
            }
        }
        return a;
    }

    /** Sends; a 2xx body is counted and dropped (it may be hundreds of MB), an error body kept. */
    static Answer send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            try (InputStream in = response.body()) {
                if (response.statusCode() >= 300 || !path.endsWith("state-dict") && !path.endsWith("forward")) {
                    byte[] bytes = in.readAllBytes();
                    return new Answer(response.statusCode(), type, new String(bytes, StandardCharsets.UTF_8), bytes.length);
                }
                long count = 0;
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) >= 0; ) count += n;
                return new Answer(response.statusCode(), type, "", count);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + ": the connection failed: " + e, e);
        }
    }

    /** Sends a file body (application/octet-stream); the answer kept whole. */
    static Answer sendBytes(String method, String path, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream").build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                    response.body().length());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + ": the connection failed: " + e, e);
        }
    }

    private static JsonNode json(Answer a) {
        return HttpApi.JSON.readTree(a.text());
    }
}
