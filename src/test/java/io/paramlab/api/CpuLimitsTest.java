package io.paramlab.api;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.paramlab.api.BadInputTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Init work is weighed before anything is drawn (413 naming the limit), and work that still runs
 * past paramlab.limits.max-request-time is stopped at a safe point, rolled back, and answered 503.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "paramlab.limits.max-request-time=300ms", "paramlab.limits.max-init-rules=8"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuLimitsTest {
    @LocalServerPort
    int port;
    HttpApi api;
    String id;
    JsonNode before;

    /** One model for every test: each request here fails, so none may change it. */
    @BeforeAll
    void setUp() {
        api = new HttpApi(port);
        id = api.create(Map.of("seed", 1, "model", Map.of("type", "Sequential", "layers", List.of(
                Map.of("type", "Linear", "in_features", 1000, "out_features", 1000),
                Map.of("type", "Linear", "in_features", 800, "out_features", 800, "bias", false)))));
        before = api.get("/models/" + id + "/state-dict").body();
    }

    private HttpApi.Answer init(List<?> rules) {
        return api.post("/models/" + id + "/init", Map.of("seed", 3, "rules", rules));
    }

    private static Map<String, Object> rule(String module, Map<String, Object> policy) {
        return Map.of("module", module, "params", Map.of("weight", policy));
    }

    private void assertLimit(HttpApi.Answer answer, int status, String limit, long actual, long maximum) {
        assertProblem(answer, status, "paramlab.limits." + limit);
        assertThat(answer.body().get("limit").stringValue()).isEqualTo(limit);
        assertThat(answer.body().get("actual").longValue()).isEqualTo(actual);
        assertThat(answer.body().get("maximum").longValue()).isEqualTo(maximum);
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void moreRulesThanTheLimitAreRefusedUpFront() {
        List<Object> nine = Collections.nCopies(9, rule("0", Map.of("type", "zeros")));
        assertLimit(init(nine), 413, "max-init-rules", 9, 8);
    }

    /** The case: orthogonal ten times on a 1000x1000 weight took 10 s under the write lock. */
    @Test
    void tenOrthogonalsOnAMillionElementsAreWeighedAndRefusedBeforeAnyDraw() {
        HttpApi.Answer answer = init(Collections.nCopies(3, rule("0", Map.of("type", "orthogonal"))));
        assertLimit(answer, 413, "max-init-work", 3L * 1_000_000 * 1000, 2_000_000_000L);
    }

    @Test
    void anExpressionsSizeCountsInTheWork() {
        String expr = "w" + " + w".repeat(199);   // 399 operations per element
        Map<String, Object> custom = Map.of("type", "custom", "base", Map.of("type", "zeros"), "expr", expr);
        // base 1 + expression 399 = 400 per element, 1,000,000 elements, 5 rules: 2e9 exactly is allowed, 6 rules not
        HttpApi.Answer answer = init(Collections.nCopies(6, rule("0", custom)));
        assertLimit(answer, 413, "max-init-work", 6L * 1_000_000 * 400, 2_000_000_000L);
    }

    @Test
    void aSlowInitPastTheRequestTimeIsStoppedAndChangesNothing() {
        // within the work limit (2 x 640,000 x 800 = 1.0e9), but two 800x800 QRs take longer than 300 ms here
        HttpApi.Answer answer = init(List.of(rule("1", Map.of("type", "orthogonal")), rule("1", Map.of("type", "orthogonal"))));
        assertProblem(answer, 503, "paramlab.limits.max-request-time");
        assertThat(answer.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:request-time-exceeded");
        assertThat(answer.body().get("limit").stringValue()).isEqualTo("max-request-time");
        assertThat(answer.body().get("maximum").longValue()).isEqualTo(300);
        assertThat(answer.body().get("actual").longValue()).isGreaterThanOrEqualTo(300);
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.paramlab.model.ModelRegistry registry;

    /**
     * Issue #23 item 7: a read queued behind a long change waits no longer than the request's time and
     * ends in a 503 with Retry-After; a change queued behind it too; after the change, both go through.
     */
    @Test
    void waitingForAModelsLockCountsAgainstTheRequestTime() throws Exception {
        String busy = api.create(Map.of("seed", 1, "model", Map.of("type", "Linear", "in_features", 2, "out_features", 2)));
        io.paramlab.model.LiveModel model = registry.get(busy);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Object> change = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            io.paramlab.model.RequestContext.set(io.paramlab.model.RequestContext.SERVICE);   // outside a request nobody changes anything
            try {
                return model.change("test", io.paramlab.model.Footprint.METADATA, () -> {
                    inside.countDown();
                    try {
                        release.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            } finally {
                io.paramlab.model.RequestContext.clear();
            }
        });
        try {
            assertThat(inside.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            HttpApi.Answer read = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.get("/models/" + busy + "/state-dict"))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            assertProblem(read, 503, "paramlab.limits.max-request-time");
            assertThat(read.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:model-busy");
            assertThat(read.header("Retry-After")).isEqualTo("1");
            assertThat(read.body().get("maximum").longValue()).isEqualTo(300);
            HttpApi.Answer write = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.patch("/models/" + busy,
                    Map.of("name", "renamed"))).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertProblem(write, 503, "paramlab.limits.max-request-time");
            assertThat(write.header("Retry-After")).isEqualTo("1");
        } finally {
            release.countDown();
        }
        change.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(api.get("/models/" + busy + "/state-dict").status()).isEqualTo(200);
        assertThat(api.get("/models/" + busy).body().get("name").isNull()
                || !api.get("/models/" + busy).body().get("name").stringValue().equals("renamed")).isTrue();
    }
}
