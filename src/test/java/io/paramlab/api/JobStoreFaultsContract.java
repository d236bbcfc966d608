package io.paramlab.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23's "a failed request changes nothing" where a job meets its store: a job created while its model
 * is deleted, at each point of the create where the delete can come in (put there by {@link StoreFaults}, not
 * by timing), answers 202 (and the delete then takes the job and its data with the model) or the model's 404,
 * never a 500, and leaves no dataset owned by nothing. Run on SQLite and on PostgreSQL by the subclasses.
 * Each context is closed after its class, while its database still runs (kept to the JVM's end, its shutdown
 * waited out the pool's 30 s connection timeout).
 */
@DirtiesContext
abstract class JobStoreFaultsContract {
    static final String NET = """
            {"seed": 3, "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8},
             {"type": "ReLU"}, {"type": "Linear", "in_features": 8, "out_features": 3}]}}""";

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
        StoreFaults.reset();
    }

    @AfterEach
    void tearDown() {
        StoreFaults.reset();
    }

    /** The delete comes after the create's checks (the model was there) and before it stores anything: the model's 404. */
    @Test
    void aModelDeletedBetweenTheChecksAndTheStoreIsTheModels404AndNothingStays() {
        String model = trainable();
        StoreFaults.afterRelease(sql -> sql.startsWith("SELECT id FROM job WHERE actor = ?"), () -> deleteNow(model));
        HttpApi.Answer answer = api.post("/models/" + model + "/jobs", job(1, 2));
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(404);
        HttpApi.Answer gone = api.post("/models/" + model + "/jobs", job(1, 2));
        assertThat(answer.body()).as("the answer given when the model is gone before").isEqualTo(gone.body());
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertNothingOf(model);
    }

    /** The delete comes right after the create's first write ended (on main: its inline dataset, stored alone). */
    @Test
    void aModelDeletedAfterTheCreatesFirstWriteLeavesNothing() {
        String model = trainable();
        StoreFaults.afterRelease(sql -> sql.startsWith("INSERT INTO dataset"), () -> deleteNow(model));
        HttpApi.Answer answer = api.post("/models/" + model + "/jobs", job(1, 2));
        assertNothingOf(model);
        assertThat(answer.status()).as("%s", answer.body()).isIn(202, 404);
        if (answer.status() == 202) {   // the job, queued in memory when its model went, ends and is gone with it
            String job = answer.body().get("id").stringValue();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (api.get("/jobs/" + job).status() != 404) {
                assertThat(System.nanoTime()).as("job %s still answers", job).isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The delete comes while the create's transaction is about to insert the job: it waits for the create to end
     * (the store holds the model's row), then takes the job with the model.
     */
    @Test
    void aModelDeletedWhileTheJobIsInsertedWaitsAndTakesTheJob() {
        String model = trainable();
        CompletableFuture<HttpApi.Answer> delete = new CompletableFuture<>();
        StoreFaults.beforePrepare(sql -> sql.startsWith("INSERT INTO job ("), () -> {
            CompletableFuture.runAsync(() -> delete.complete(api.delete("/models/" + model)));
            untilWaitingOrDone(delete);
        });
        HttpApi.Answer answer = api.post("/models/" + model + "/jobs", job(1, 2));
        assertThat(answer.status()).as("%s", answer.body()).isIn(202, 404);
        assertThat(delete.join().status()).isEqualTo(204);
        assertNothingOf(model);
    }

    /**
     * The store refuses every write (a read-only or vanished database) while a job runs: its epoch's commit fails,
     * and so does the write of its failure. The job still ends as failed for its clients (GET, the event stream's
     * last status), lets go of its model, and the store gets the failure once it takes writes again.
     */
    @Test
    void aJobWhoseFailureTheStoreRefusesEndsFailedAndIsStoredLater() throws Exception {
        String model = trainable();
        String job = expect(202, api.post("/models/" + model + "/jobs", job(100_000, 2)), "job").get("id").stringValue();
        CompletableFuture<JsonNode> stream = CompletableFuture.supplyAsync(() -> api.lastJobStatus(job, 90));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expect(200, api.get("/jobs/" + job), "job").get("step").longValue() < 3) {
            assertThat(System.nanoTime()).as("job %s never ran", job).isLessThan(deadline);
        }
        StoreFaults.failWrites = true;
        JsonNode ended = null;
        deadline = System.nanoTime() + 20_000_000_000L;
        while (ended == null) {
            JsonNode now = expect(200, api.get("/jobs/" + job), "job");
            if (!now.get("status").stringValue().equals("running")) {
                ended = now;
            }
            assertThat(System.nanoTime()).as("job %s still running 20 s after the store refused its writes: %s", job, now)
                    .isLessThan(deadline);
        }
        assertThat(ended.get("status").stringValue()).as("%s", ended).isEqualTo("failed");
        assertThat(ended.get("error").get("detail").stringValue()).as("%s", ended).contains("readonly");
        assertThat(stream.get(30, TimeUnit.SECONDS).get("status").stringValue()).as("the stream's last status").isEqualTo("failed");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        assertThat(jdbc.sql("SELECT status FROM job WHERE id = ?").param(job).query(String.class).single())
                .as("the store refused the failure").isEqualTo("running");

        StoreFaults.failWrites = false;
        deadline = System.nanoTime() + 30_000_000_000L;
        while (!jdbc.sql("SELECT status FROM job WHERE id = ?").param(job).query(String.class).single().equals("failed")) {
            assertThat(System.nanoTime()).as("the store never got job %s's failure", job).isLessThan(deadline);
            Thread.sleep(50);
        }
        JsonNode stored = expect(200, api.get("/jobs/" + job), "job");   // from the store now
        assertThat(stored.get("status").stringValue()).isEqualTo("failed");
        assertThat(stored.get("step").longValue()).as("the steps it had done").isEqualTo(ended.get("step").longValue());
        assertThat(expect(200, api.get("/jobs/" + job + "/history"), "history").get("step_loss").size())
                .as("a history row for each step").isEqualTo(ended.get("step").intValue());
        expect(200, api.patch("/models/" + model, Map.of("name", "free")), "the model is not held");
        String next = expect(202, api.post("/models/" + model + "/jobs", job(1, 2)), "another job on the model").get("id").stringValue();
        assertThat(next).isNotEqualTo(job);
    }

    /** A queued job cancelled while the store refuses writes: cancelled for its clients, its model free, stored later. */
    @Test
    void aQueuedJobCancelledWhileTheStoreRefusesItIsCancelledAndStoredLater() throws Exception {
        String runningModel = trainable();
        String running = expect(202, api.post("/models/" + runningModel + "/jobs", job(100_000, 2)), "job").get("id").stringValue();
        String model = trainable();
        String queued = expect(202, api.post("/models/" + model + "/jobs", job(1, 2)), "job").get("id").stringValue();
        assertThat(expect(200, api.get("/jobs/" + queued), "job").get("status").stringValue())
                .as("behind the running job (paramlab.jobs.concurrency 1)").isEqualTo("queued");
        StoreFaults.failWritesOf = queued;   // the store refuses this job's writes, not the running job's
        HttpApi.Answer cancel = api.post("/jobs/" + queued + "/cancel", Map.of());
        StoreFaults.failWritesOf = null;
        assertThat(cancel.status()).as("%s", cancel.body()).isEqualTo(202);
        assertThat(expect(200, api.get("/jobs/" + queued), "job").get("status").stringValue()).isEqualTo("cancelled");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!jdbc.sql("SELECT status FROM job WHERE id = ?").param(queued).query(String.class).single().equals("cancelled")) {
            assertThat(System.nanoTime()).as("the store never got job %s's cancel", queued).isLessThan(deadline);
            Thread.sleep(50);
        }
        expect(202, api.post("/models/" + model + "/jobs", job(1, 2)), "another job on the model");
        expect(202, api.post("/jobs/" + running + "/cancel", Map.of()), "cancel the running job");
    }

    /**
     * The store refuses a finished job's end record (the last epoch committed): the training's outcome is the job's
     * status, succeeded for its clients (GET, the event stream), not failed, no failure commit of its model; the
     * record is written again until the store takes it, and the stored job then reads as memory showed it.
     */
    @Test
    void aJobWhoseSuccessTheStoreRefusesEndsSucceededAndIsStoredLater() throws Exception {
        untilNoActiveJob();
        String model = trainable();
        StoreFaults.failWritesOf = "succeeded";   // the write that binds the end's status, nothing else
        String job = expect(202, api.post("/models/" + model + "/jobs", job(2, 2)), "job").get("id").stringValue();
        assertThat(api.lastJobStatus(job, 60).get("status").stringValue()).as("the stream's last status").isEqualTo("succeeded");
        JsonNode ended = expect(200, api.get("/jobs/" + job), "job");
        assertThat(ended.get("status").stringValue()).as("%s", ended).isEqualTo("succeeded");
        assertThat(ended.get("step").longValue()).as("%s", ended).isEqualTo(4);
        assertThat(ended.get("error") == null || ended.get("error").isNull()).as("no error: %s", ended).isTrue();
        JdbcClient jdbc = JdbcClient.create(dataSource);
        assertThat(jdbc.sql("SELECT status FROM job WHERE id = ?").param(job).query(String.class).single())
                .as("the store refused the end").isEqualTo("running");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM history WHERE model_id = ? AND operation = 'job.fail'").param(model)
                .query(Long.class).single()).as("no failure commit").isZero();

        StoreFaults.failWritesOf = null;
        untilStored(job, "succeeded");
        JsonNode stored = expect(200, api.get("/jobs/" + job), "job");   // from the store now
        assertThat(stored).as("the stored job reads as memory showed it").isEqualTo(ended);
        assertThat(expect(200, api.get("/jobs/" + job + "/history"), "history").get("step_loss").size()).isEqualTo(4);
    }

    /**
     * A job ended here whose end the store has not taken yet is still "running" in its row: it does not keep its
     * dataset from being deleted (nor count against its owner's running-jobs quota: PostgresJobEndsTest, with a token).
     */
    @Test
    void anEndedJobWhoseEndIsNotStoredKeepsNoDatasetInUse() throws Exception {
        untilNoActiveJob();
        Map<String, Object> data = new LinkedHashMap<>(castMap(job(1, 2).get("data")));
        data.put("name", "unstored-end");
        String dataset = expect(201, api.post("/datasets", data), "dataset").get("id").stringValue();
        String model = trainable();
        Map<String, Object> body = new LinkedHashMap<>(job(1, 2));
        body.remove("data");
        body.put("dataset", dataset);
        StoreFaults.failWritesOf = "succeeded";
        String ended = expect(202, api.post("/models/" + model + "/jobs", body), "job").get("id").stringValue();
        assertThat(api.lastJobStatus(ended, 60).get("status").stringValue()).isEqualTo("succeeded");
        JdbcClient jdbc = JdbcClient.create(dataSource);
        assertThat(jdbc.sql("SELECT status FROM job WHERE id = ?").param(ended).query(String.class).single()).isEqualTo("running");

        HttpApi.Answer deleted = api.delete("/datasets/" + dataset);
        assertThat(deleted.status()).as("the dataset of an ended job: %s", deleted.body()).isEqualTo(204);

        StoreFaults.failWritesOf = null;
        untilStored(ended, "succeeded");
    }

    /**
     * A failed job whose end the store refused, its model then deleted (and its job row with it): the end has
     * nowhere to go, so it is dropped, not written again for ever (its history rows' foreign key would refuse
     * them), and the job is gone with its model.
     */
    @Test
    void anUnstoredEndOfAJobDeletedWithItsModelIsDropped() throws Exception {
        untilNoActiveJob();
        String model = trainable();
        String job = expect(202, api.post("/models/" + model + "/jobs", job(100_000, 2)), "job").get("id").stringValue();
        StoreFaults.failWritesOf = job;   // its epoch's commit, its failure's commit, its end
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!expect(200, api.get("/jobs/" + job), "job").get("status").stringValue().equals("failed")) {
            assertThat(System.nanoTime()).as("job %s never failed", job).isLessThan(deadline);
            Thread.sleep(20);
        }
        expect(204, api.delete("/models/" + model), "the model's delete");
        StoreFaults.failWritesOf = null;
        deadline = System.nanoTime() + 30_000_000_000L;
        HttpApi.Answer answer;
        while ((answer = api.get("/jobs/" + job)).status() != 404) {
            assertThat(System.nanoTime()).as("job %s still answers: %s", job, answer.body()).isLessThan(deadline);
            Thread.sleep(50);
        }
        JdbcClient jdbc = JdbcClient.create(dataSource);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM job_step WHERE job_id = ?").param(job).query(Long.class).single()).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object map) {
        return (Map<String, Object>) map;
    }

    /** Until no job is queued or running in the store (another test's cancelled job may still be ending). */
    void untilNoActiveJob() throws InterruptedException {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (jdbc.sql("SELECT COUNT(*) FROM job WHERE status IN ('queued', 'running')").query(Long.class).single() > 0) {
            assertThat(System.nanoTime()).as("jobs of other tests still active").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Until the store has the job with this status. */
    void untilStored(String job, String status) throws InterruptedException {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!jdbc.sql("SELECT status FROM job WHERE id = ?").param(job).query(String.class).single().equals(status)) {
            assertThat(System.nanoTime()).as("the store never got job %s's end (%s)", job, status).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Until the delete started on another thread has ended, or waits on the store (a lock, or SQLite's one connection). */
    protected abstract void untilWaitingOrDone(CompletableFuture<HttpApi.Answer> delete);

    /** DELETE /models/{id} from another thread, waited for: the connection that ran the statement is free now. */
    private void deleteNow(String model) {
        HttpApi.Answer answer = CompletableFuture.supplyAsync(() -> api.delete("/models/" + model)).orTimeout(60, TimeUnit.SECONDS).join();
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(204);
    }

    /** No job of the model in the store, no job's inline dataset without its job. */
    void assertNothingOf(String model) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        assertThat(api.get("/models/" + model).status()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM job WHERE model_id = ?").param(model).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM dataset WHERE job_id IS NOT NULL AND job_id NOT IN (SELECT id FROM job)")
                .query(Long.class).single()).as("inline datasets owned by no job").isZero();
    }

    String trainable() {
        String model = api.create(NET);
        HttpApi.Answer optimizer = api.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.05));
        assertThat(optimizer.status()).as("%s", optimizer.body()).isEqualTo(200);
        return model;
    }

    /** Three blobs of 4 features, {@code batches} batches of 5 per epoch, inline. */
    static Map<String, Object> job(int epochs, int batches) {
        List<List<Double>> input = new ArrayList<>();
        List<Integer> target = new ArrayList<>();
        for (int i = 0; i < batches * 5; i++) {
            int c = i % 3;
            input.add(List.of(c + 0.1 * (i % 5), -c + 0.05 * i, 0.3 * c, 1.0 - 0.2 * (i % 4)));
            target.add(c);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", Map.of("input", input, "target", Map.of("data", target, "dtype", "int64")));
        body.put("loss", "cross_entropy");
        body.put("epochs", epochs);
        body.put("batch_size", 5);
        body.put("seed", 7);
        return body;
    }

    static JsonNode expect(int status, HttpApi.Answer answer, String what) {
        assertThat(answer.status()).as("%s: %s", what, answer.body()).isEqualTo(status);
        return answer.body();
    }
}
