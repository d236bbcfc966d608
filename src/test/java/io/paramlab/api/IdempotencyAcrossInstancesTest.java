package io.paramlab.api;

import io.paramlab.ParamlabApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.Ordered;
import tools.jackson.databind.JsonNode;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotency-Key across the instances of one PostgreSQL store (issue #23, hardening II): two Spring contexts on
 * one embedded PostgreSQL, the first holding a keyed {@code POST /models} inside its handler (a filter after
 * {@link IdempotencyFilter} waits on a latch) while the same request arrives at the second. The handler runs
 * once: the second is a 409 while the first runs (another body under the key a 422), and gets the first answer
 * replayed after; one model exists. A failed first request frees its key for a retry at the other instance.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IdempotencyAcrossInstancesTest {
    private static final String HELD = "held-";
    private static EmbeddedPostgres postgres;
    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;
    private static HttpApi a;
    private static HttpApi b;
    /** The latches of the request that the first instance holds in its handler: one whose key starts with {@link #HELD}. */
    private static final AtomicReference<CountDownLatch> entered = new AtomicReference<>();
    private static final AtomicReference<CountDownLatch> goOn = new AtomicReference<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        first = instance(true);   // one after the other: each migrates the database at its start
        second = instance(false);
        a = new HttpApi(port(first));
        b = new HttpApi(port(second));
    }

    private static ConfigurableApplicationContext instance(boolean holding) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(ParamlabApplication.class);
        if (holding) {
            builder.initializers(context -> ((GenericApplicationContext) context).registerBean("holdCreates",
                    FilterRegistrationBean.class, IdempotencyAcrossInstancesTest::holdCreates));
        }
        return builder.run("--server.port=0",
                "--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=postgres");
    }

    /** Runs after every filter of the service (IdempotencyFilter included): a held create waits here, in its handler's place. */
    private static FilterRegistrationBean<Filter> holdCreates() {
        Filter hold = (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            String key = http.getHeader(IdempotencyFilter.HEADER);
            if ("POST".equals(http.getMethod()) && key != null && key.startsWith(HELD)) {
                entered.get().countDown();
                try {
                    if (!goOn.get().await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let the held create go on");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            chain.doFilter(request, response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(hold);
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {second, first, postgres}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private static String spec(String name, int hidden) {
        return """
                {"name": "%s", "seed": 1, "model": {"type": "Sequential", "layers": [
                 {"type": "Linear", "in_features": 4, "out_features": %d}]}}""".formatted(name, hidden);
    }

    private static long modelsNamed(HttpApi api, String name) {
        long named = 0;
        for (JsonNode model : api.get("/models?limit=1000").body()) {
            named += name.equals(model.path("name").asString()) ? 1 : 0;
        }
        return named;
    }

    @Test
    void aKeyedCreateHeldAtOneInstanceIsNotRunAgainAtTheOther() throws Exception {
        String name = "twice-" + UUID.randomUUID();
        String key = HELD + name;
        String spec = spec(name, 3);
        entered.set(new CountDownLatch(1));
        goOn.set(new CountDownLatch(1));
        CompletableFuture<HttpApi.Answer> held = CompletableFuture.supplyAsync(() -> a.postWith("/models", spec, "Idempotency-Key", key));
        HttpApi.Answer whileRunning;
        HttpApi.Answer otherWhileRunning;
        try {
            assertThat(entered.get().await(60, TimeUnit.SECONDS)).as("the first create reached its handler").isTrue();
            whileRunning = b.postWith("/models", spec, "Idempotency-Key", key);
            otherWhileRunning = b.postWith("/models", spec(name, 4), "Idempotency-Key", key);
        } finally {
            goOn.get().countDown();
        }
        HttpApi.Answer created = held.get(60, TimeUnit.SECONDS);
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);

        assertThat(whileRunning.status()).as(String.valueOf(whileRunning.body())).isEqualTo(409);
        assertThat(whileRunning.contentType()).startsWith("application/problem+json");
        assertThat(whileRunning.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:idempotency-key-in-use");
        assertThat(otherWhileRunning.status()).as("another body under the running key").isEqualTo(422);
        assertThat(otherWhileRunning.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:idempotency-key-reused");

        HttpApi.Answer retried = b.postWith("/models", spec, "Idempotency-Key", key);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retried.header("Location")).isEqualTo(created.header("Location"));
        assertThat(retried.raw().body()).isEqualTo(created.raw().body());
        assertThat(modelsNamed(a, name)).as("models created under one key").isEqualTo(1);
        assertThat(b.postWith("/models", spec(name, 4), "Idempotency-Key", key).status()).as("another body after").isEqualTo(422);
    }

    @Test
    void aFailedCreateAtOneInstanceFreesItsKeyForTheOther() {
        String name = "failed-" + UUID.randomUUID();
        String key = "create-" + name;
        HttpApi.Answer failed = a.postWith("/models", spec(name, -1), "Idempotency-Key", key);
        assertThat(failed.status()).as(String.valueOf(failed.body())).isBetween(400, 499);
        HttpApi.Answer again = b.postWith("/models", spec(name, -1), "Idempotency-Key", key);
        assertThat(again.status()).as("run again, not refused as running or replayed").isEqualTo(failed.status());
        assertThat(again.header("Idempotent-Replayed")).isNull();
        assertThat(b.postWith("/models", spec(name, 2), "Idempotency-Key", key).status()).as("nor kept: another body runs")
                .isEqualTo(201);
        assertThat(modelsNamed(b, name)).isEqualTo(1);
    }
}
