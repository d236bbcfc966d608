package io.paramlab.api;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Two (and for the lease test three) service processes on one real PostgreSQL serve the same models
 * as one service (API.md "Several instances"): a change answered by one is seen by the other, a
 * backward on one and a step on the other act on the same gradients, concurrent changes through both
 * are serialized with versions that never repeat and If-Match that holds, a job's events stream
 * through either, and when the instance holding a model is killed mid-job its lease expires, another
 * instance takes the model from the store and the job is interrupted at its last committed epoch.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SeveralInstancesTest {
    private static final String SPEC = """
            {"seed": 3, "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8},
             {"type": "ReLU"}, {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    private static final String HEAP = "256m";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static EmbeddedPostgres postgres;
    private static ServiceProcess first;
    private static ServiceProcess second;
    private static HttpApi a;
    private static HttpApi b;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        ExecutorService starting = Executors.newFixedThreadPool(2);
        try {
            Future<ServiceProcess> one = starting.submit(() -> ServiceProcess.start(HEAP, arguments()));
            Future<ServiceProcess> two = starting.submit(() -> ServiceProcess.start(HEAP, arguments()));
            first = one.get();
            second = two.get();
        } finally {
            starting.shutdown();
        }
        a = new HttpApi(first.port());
        b = new HttpApi(second.port());
    }

    private static List<String> arguments() {
        return List.of("--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=postgres", "--paramlab.instance.lease-ttl=3s");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {first, second, postgres}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void aChangeAnsweredByOneIsSeenByTheNextRequestOnTheOther() {
        String model = a.create(SPEC);
        assertThat(b.get("/models/" + model + "/state-dict").body()).isEqualTo(a.get("/models/" + model + "/state-dict").body());

        assertThat(b.patch("/models/" + model + "/parameters/0.bias", Map.of("index", List.of(0), "value", 5)).status()).isEqualTo(200);
        assertThat(a.get("/models/" + model + "/parameters/0.bias").body().get("data").get("data").get(0).doubleValue()).isEqualTo(5.0);
        HttpApi.Answer onA = a.get("/models/" + model);
        assertThat(onA.body().get("version").longValue()).isEqualTo(2);
        assertThat(onA.header("ETag")).isEqualTo("\"2\"").isEqualTo(b.get("/models/" + model).header("ETag"));
        assertThat(b.getWithHeader("/models/" + model, "If-None-Match", "\"2\"").status()).isEqualTo(304);

        // If-Match holds across instances: a tag one instance gave is stale on the other after a change there
        assertThat(a.sendWith("PATCH", "/models/" + model + "/parameters/0.bias", Map.of("index", List.of(0), "value", 6),
                "If-Match", "\"2\"").status()).isEqualTo(200);
        HttpApi.Answer stale = b.sendWith("PATCH", "/models/" + model + "/parameters/0.bias", Map.of("index", List.of(0), "value", 7),
                "If-Match", "\"2\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.body().get("actual").longValue()).isEqualTo(3);
        assertThat(b.get("/models/" + model + "/parameters/0.bias").body().get("data").get("data").get(0).doubleValue()).isEqualTo(6.0);

        assertThat(b.delete("/models/" + model).status()).isEqualTo(204);
        assertThat(a.get("/models/" + model).status()).isEqualTo(404);
    }

    @Test
    void aBackwardOnOneAndAStepOnTheOtherActOnTheSameGradients() {
        String model = b.create(SPEC);
        assertThat(a.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.5)).status()).isEqualTo(200);
        Map<String, Object> batch = Map.of("input", List.of(List.of(1, 2, 3, 4), List.of(0.5, -1, 2, 0)),
                "target", List.of(List.of(1), List.of(0)), "loss", "mse");
        assertThat(a.post("/models/" + model + "/backward", batch).status()).isEqualTo(200);
        JsonNode once = b.get("/models/" + model + "/parameters?include=data,grad").body();
        assertThat(once.get(0).get("grad").isNull()).as("the gradient a backward on the other instance left").isFalse();
        assertThat(b.post("/models/" + model + "/backward", batch).status()).isEqualTo(200);
        JsonNode twice = a.get("/models/" + model + "/parameters?include=data,grad").body();

        assertThat(b.post("/models/" + model + "/step", Map.of()).status()).isEqualTo(200);
        JsonNode after = a.get("/models/" + model + "/parameters?include=data").body();
        for (int p = 0; p < once.size(); p++) {
            float[] value = Conformance.floats(once.get(p).get("data"));
            float[] gradOnce = Conformance.floats(once.get(p).get("grad"));
            float[] grad = Conformance.floats(twice.get(p).get("grad"));
            float[] stepped = Conformance.floats(after.get(p).get("data"));
            for (int i = 0; i < value.length; i++) {
                assertThat(grad[i]).as("both backwards accumulated into one grad").isCloseTo(gradOnce[i] * 2, within(1e-5f));
                assertThat(stepped[i]).as("p - lr * grad").isCloseTo(value[i] - 0.5f * grad[i], within(1e-6f));
            }
        }
    }

    @Test
    void concurrentChangesThroughBothAreSerialized() throws Exception {
        String model = a.create(SPEC);
        int changes = 32;   // every element of 0.weight (8 x 4), each written once
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            int element = i;
            HttpApi via = i % 2 == 0 ? a : b;
            answers.add(clients.submit(() -> via.patch("/models/" + model + "/parameters/0.weight",
                    Map.of("index", List.of(element / 4, element % 4), "value", 100 + element)).status()));
        }
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isEqualTo(200);
        }
        clients.shutdown();

        JsonNode weight = b.get("/models/" + model + "/parameters/0.weight").body().get("data").get("data");
        for (int i = 0; i < changes; i++) {
            assertThat(weight.get(i / 4).get(i % 4).doubleValue()).as("element %d: no change lost", i).isEqualTo(100.0 + i);
        }
        assertThat(a.get("/models/" + model).body().get("version").longValue()).isEqualTo(1 + changes);
        JsonNode history = b.get("/models/" + model + "/history?limit=100").body();
        Set<Long> versions = new HashSet<>();
        history.forEach(entry -> versions.add(entry.get("version").longValue()));
        assertThat(history.size()).isEqualTo(1 + changes);
        assertThat(versions).as("versions never repeat").hasSize(1 + changes);
    }

    /**
     * Two identical uploads with one Idempotency-Key at the two instances at once: the key is claimed in the
     * store, so the second is a 409 while the first runs, then the first answer replayed; one state dict is stored.
     */
    @Test
    void twoIdenticalUploadsAtTwoInstancesAtOnceAreStoredOnce() throws Exception {
        byte[] file = StateDictUploadHttpTest.safetensors(1_000_000, 3);   // 4 MB
        String name = "twice-" + java.util.UUID.randomUUID();
        String key = "upload-" + name;
        CountDownLatch sentHalf = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<HttpResponse<String>> atA = HTTP.sendAsync(upload(first.port(), name, key)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> StateDictUploadHttpTest.halfThenWait(file, sentHalf, goOn))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> atB;
        try {
            assertThat(sentHalf.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(500);   // the first instance has the headers and what was sent, and waits for the rest
            atB = HTTP.send(upload(second.port(), name, key).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            goOn.countDown();
        }
        assertThat(atB.statusCode()).as(atB.body()).isEqualTo(409);
        assertThat(atB.body()).contains("idempotency-key-in-use");
        HttpResponse<String> stored = atA.get(60, TimeUnit.SECONDS);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
        HttpResponse<String> retried = HTTP.send(upload(second.port(), name, key).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(retried.statusCode()).isEqualTo(201);
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retried.headers().firstValue("Location")).isEqualTo(stored.headers().firstValue("Location"));
        long named = 0;
        for (JsonNode stateDict : a.get("/state-dicts?limit=1000").body()) {
            named += name.equals(stateDict.path("name").asString()) ? 1 : 0;
        }
        assertThat(named).as("state dicts stored under " + name).isEqualTo(1);
    }

    private static HttpRequest.Builder upload(int port, String name, String key) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/state-dicts?name=" + name))
                .header("Content-Type", "application/octet-stream").header("Idempotency-Key", key);
    }

    @Test
    void aJobsEventsStreamThroughTheInstanceThatDoesNotHoldIt() throws Exception {
        String model = a.create(JobRestartTest.SPEC);
        assertThat(a.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.01)).status()).isEqualTo(200);
        String job = b.post("/models/" + model + "/jobs", JobRestartTest.job(2)).body().get("id").stringValue();
        HttpResponse<String> events = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + second.port() + "/api/v1/jobs/" + job + "/events"))
                        .timeout(java.time.Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(events.body()).startsWith("event:status").contains("event:epoch").endsWith("\n\n");
        assertThat(b.get("/jobs/" + job).body().get("status").stringValue()).isEqualTo("succeeded");
    }

    /** A third instance holds a model and runs its job; it is killed; the others take over and the job is interrupted. */
    @Test
    void whenTheHolderDiesItsLeaseExpiresAndItsJobIsInterrupted() throws Exception {
        try (ServiceProcess third = ServiceProcess.start(HEAP, arguments())) {
            HttpApi c = new HttpApi(third.port());
            String model = c.create(JobRestartTest.SPEC);
            assertThat(a.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.01)).status()).isEqualTo(200);
            String job = a.post("/models/" + model + "/jobs", JobRestartTest.job(40)).body().get("id").stringValue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (b.get("/jobs/" + job).body().get("epoch").intValue() < 2) {
                assertThat(System.nanoTime()).as("job did not reach epoch 2: %s", b.get("/jobs/" + job).body()).isLessThan(deadline);
                Thread.sleep(20);
            }
            third.kill();

            JsonNode interrupted = awaitStatus(b, job, "interrupted");
            int epoch = interrupted.get("epoch").intValue();
            assertThat(epoch).isBetween(2, 39);
            assertThat(interrupted.get("step").longValue()).isEqualTo(epoch * 64L);
            JsonNode top = a.get("/models/" + model + "/history?limit=1").body().get(0);
            assertThat(top.get("operation").stringValue()).isEqualTo("job.epoch");
            long version = a.get("/models/" + model).body().get("version").longValue();
            assertThat(top.get("version").longValue()).isEqualTo(version);

            // the model serves again, from the store, and its versions go on without repeating
            assertThat(b.patch("/models/" + model, Map.of("name", "taken over")).status()).isEqualTo(200);
            assertThat(a.get("/models/" + model).body().get("version").longValue()).isEqualTo(version + 1);
            assertThat(a.post("/jobs/" + job + "/resume", Map.of()).status()).isEqualTo(202);
            assertThat(awaitStatus(b, job, "succeeded").get("step").longValue()).isEqualTo(40 * 64L);
        }
    }

    /** Polls until the job has {@code status}; a 503 while the dead holder's lease has not yet expired is expected. */
    private static JsonNode awaitStatus(HttpApi api, String job, String status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            HttpApi.Answer answer = api.get("/jobs/" + job);
            if (answer.status() == 200 && answer.body().get("status").stringValue().equals(status)) {
                return answer.body();
            }
            assertThat(answer.status()).as("%s", answer.body()).isIn(200, 503);
            assertThat(System.nanoTime()).as("job not %s: %s", status, answer.body()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
