package io.paramlab.api;

import io.paramlab.store.ModelStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency-Key on POSTs (API.md, "The store"): one effect per key and request, failures retryable. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdempotencyHttpTest {
    @LocalServerPort
    int port;
    @Autowired
    ModelStore store;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    @Test
    void aRepeatedCreateCreatesOneModelAndAnswersTheFirstAnswerAgain() {
        String key = UUID.randomUUID().toString();
        long before = store.count();
        HttpApi.Answer first = api.postWith("/models", ApiExamples.NET, "Idempotency-Key", key);
        HttpApi.Answer again = api.postWith("/models", ApiExamples.NET, "Idempotency-Key", key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.raw().body()).isEqualTo(first.raw().body());
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(again.contentType()).isEqualTo(first.contentType());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(store.count()).isEqualTo(before + 1);
        // without a key, the same body is a new model
        assertThat(api.post("/models", ApiExamples.NET).body().get("id")).isNotEqualTo(first.body().get("id"));
    }

    @Test
    void theSameKeyWithAnotherRequestIs422() {
        String key = UUID.randomUUID().toString();
        assertThat(api.postWith("/models", ApiExamples.NET, "Idempotency-Key", key).status()).isEqualTo(201);
        long before = store.count();
        HttpApi.Answer other = api.postWith("/models", ApiExamples.TIED, "Idempotency-Key", key);
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:idempotency-key-reused");
        String model = "/models/" + api.create(ApiExamples.NET);
        assertThat(api.postWith(model + "/checkpoints", Map.of(), "Idempotency-Key", key).status()).isEqualTo(422);
        assertThat(store.count()).isEqualTo(before + 1);
    }

    @Test
    void aFailedPostIsNotKeptAndCanBeRetriedWithItsKey() {
        String model = "/models/" + api.create(ApiExamples.NET);
        CheckpointHttpTest.ok(api.post(model + "/checkpoints", Map.of("tag", "taken")));
        String key = UUID.randomUUID().toString();
        assertThat(api.postWith(model + "/checkpoints", Map.of("tag", "taken"), "Idempotency-Key", key).status()).isEqualTo(409);
        assertThat(api.delete(model + "/checkpoints/taken").status()).isEqualTo(204);
        HttpApi.Answer retried = api.postWith(model + "/checkpoints", Map.of("tag", "taken"), "Idempotency-Key", key);
        assertThat(retried.status()).isEqualTo(201);
        HttpApi.Answer repeated = api.postWith(model + "/checkpoints", Map.of("tag", "taken"), "Idempotency-Key", key);
        assertThat(repeated.status()).isEqualTo(201);
        assertThat(repeated.body().get("id")).isEqualTo(retried.body().get("id"));
        assertThat(api.get(model + "/checkpoints").body()).hasSize(1);
    }

    @Test
    void aKeyIsOneTo255Characters() {
        assertThat(api.postWith("/models", ApiExamples.NET, "Idempotency-Key", "k".repeat(256)).status()).isEqualTo(400);
        assertThat(api.postWith("/models", ApiExamples.NET, "Idempotency-Key", "k".repeat(255) ).status()).isEqualTo(201);
    }
}
