package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.Map;

import static io.paramlab.api.JobStoreFaultsContract.job;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's terminal status is the last thing it reports: a client that sees "succeeded", "cancelled"
 * or "failed" (a GET or the event stream) and at once changes the model, deletes it or starts
 * another job on it is never refused with a 409 by the job it has just seen end. Each case is
 * looped: the client polls without pausing, so it reads the job as soon as its status changes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "paramlab.limits.max-activation-elements=2000")
class JobEndFreesModelHttpTest {
    static final String NET = """
            {"seed": 3, "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8},
             {"type": "ReLU"}, {"type": "Linear", "in_features": 8, "out_features": 3}]}}""";
    static final int ROUNDS = 60;

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    @Test
    void aSucceededJobsModelCanBeDeletedOrTrainedAgainAtOnce() {
        for (int i = 0; i < ROUNDS; i++) {
            String model = trainable();
            String job = start(model, job(2, 2));
            assertThat(pollUntilEnd(job)).isEqualTo("succeeded");
            if (i % 3 == 0) {
                expect(204, api.delete("/models/" + model), "DELETE right after succeeded, round " + i);
            } else if (i % 3 == 1) {
                String second = start(model, job(1, 1));   // a second job at once: 202, not 409 "job-exists"
                assertThat(pollUntilEnd(second)).isEqualTo("succeeded");
                expect(204, api.delete("/models/" + model), "DELETE right after the second job succeeded, round " + i);
            } else {
                expect(200, api.patch("/models/" + model, Map.of("name", "after-" + i)), "PATCH right after succeeded, round " + i);
                expect(204, api.delete("/models/" + model), "DELETE, round " + i);
            }
        }
    }

    @Test
    void aCancelledJobsModelCanBeDeletedAtOnce() {
        for (int i = 0; i < ROUNDS / 3; i++) {
            String model = trainable();
            String job = start(model, job(100_000, 4));
            await(job, "running");
            expect(202, api.post("/jobs/" + job + "/cancel", Map.of()), "cancel, round " + i);
            assertThat(pollUntilEnd(job)).isEqualTo("cancelled");
            expect(204, api.delete("/models/" + model), "DELETE right after cancelled, round " + i);
        }
    }

    @Test
    void theEventStreamsLastStatusComesAfterTheModelIsFree() throws Exception {
        for (int i = 0; i < ROUNDS / 3; i++) {
            String model = trainable();
            String job = start(model, job(3, 2));
            JsonNode last = api.lastJobStatus(job, 60);
            assertThat(last.get("status").stringValue()).isEqualTo("succeeded");
            expect(204, api.delete("/models/" + model), "DELETE right after the stream's succeeded, round " + i);
        }
    }

    @Test
    void aFailedJobsModelCanBeDeletedAtOnce() {
        for (int i = 0; i < ROUNDS / 3; i++) {
            String model = trainable();
            // one sample passes the dry run; the first step's batch of 100 passes max-activation-elements
            Map<String, Object> body = job(1, 20);
            body.put("batch_size", 100);
            String job = start(model, body);
            assertThat(pollUntilEnd(job)).isEqualTo("failed");
            expect(204, api.delete("/models/" + model), "DELETE right after failed, round " + i);
        }
    }

    private String trainable() {
        String model = api.create(NET);
        expect(200, api.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.05)), "optimizer");
        return model;
    }

    private String start(String model, Map<String, Object> body) {
        return expect(202, api.post("/models/" + model + "/jobs", body), "job on " + model).body().get("id").stringValue();
    }

    /** GETs the job without pausing until it ends; answers its terminal status. */
    private String pollUntilEnd(String job) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String status = expect(200, api.get("/jobs/" + job), "job").body().get("status").stringValue();
            if (!status.equals("queued") && !status.equals("running")) {
                return status;
            }
        }
        throw new AssertionError("job " + job + " did not end");
    }

    private void await(String job, String status) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode j = expect(200, api.get("/jobs/" + job), "job").body();
            if (j.get("status").stringValue().equals(status) && j.get("step").longValue() > 0) {
                return;
            }
        }
        throw new AssertionError("job " + job + " never " + status);
    }

    private static HttpApi.Answer expect(int status, HttpApi.Answer answer, String what) {
        assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(status);
        return answer;
    }
}
