package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Jobs through HTTP: every {@code train_*} case PyTorch 1.13 computed (losses, lrs and the final
 * state dict at rtol 1e-4, atol 1e-6), the event stream read by a plain client, cancel and resume
 * (the same final state as a run never stopped), the 409s, and datasets.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "paramlab.limits.max-dataset-elements=100000")
class JobHttpTest {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-6;
    static final String NET = """
            {"seed": 3, "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 16},
             {"type": "ReLU"}, {"type": "Linear", "in_features": 16, "out_features": 3}]}}""";

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    static Stream<Arguments> trainCases() throws Exception {
        return Conformance.cases("train");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainCases")
    void trainCaseMatchesPyTorch(JsonNode c) {
        String model = "/models/" + api.create(c.get("create"));
        status(200, api.put(model + "/state-dict", c.get("state_dict")));
        status(200, api.put(model + "/optimizer", c.get("optimizer")));
        Map<String, Object> body = new LinkedHashMap<>(HttpApi.JSON.convertValue(c.get("job"), Map.class));
        body.put("data", c.get("data"));
        HttpApi.Answer created = status(202, api.post(model + "/jobs", body));
        String job = created.body().get("id").stringValue();
        assertThat(created.header("Location")).isEqualTo("/api/v1/jobs/" + job);
        assertThat(created.body().get("status").stringValue()).isIn("queued", "running", "succeeded");
        JsonNode done = awaitEnd(job);
        assertThat(done.get("status").stringValue()).as(done.toString()).isEqualTo("succeeded");
        JsonNode expect = c.get("expect");
        JsonNode history = status(200, api.get("/jobs/" + job + "/history")).body();
        assertThat(done.get("step").longValue()).isEqualTo(expect.get("step_loss").size()).isEqualTo(done.get("total_steps").longValue());
        assertSeries("step_loss", expect.get("step_loss"), history.get("step_loss"));
        assertSeries("epoch_loss", expect.get("epoch_loss"), history.get("epoch_loss"));
        assertThat(history.get("lr").size()).isEqualTo(expect.get("lr").size());
        for (int i = 0; i < expect.get("lr").size(); i++) {
            assertSeries("lr[" + i + "]", expect.get("lr").get(i), history.get("lr").get(i));
        }
        JsonNode state = status(200, api.get(model + "/state-dict")).body();
        expect.get("state_dict").properties().forEach(e -> assertSeries(e.getKey(),
                flat(e.getValue().get("data")), flat(state.get(e.getKey()).get("data"))));
        // one commit per epoch, in the model's history
        JsonNode entries = status(200, api.get(model + "/history")).body();
        assertThat(entries.get(0).get("operation").stringValue()).isEqualTo("job.epoch");
        assertThat(status(200, api.get(model + "/jobs")).body().get(0).get("id").stringValue()).isEqualTo(job);
    }

    @Test
    void eventStreamGivesStatusFirstThenStepsAndEpochsAndEndsWithTheJob() throws Exception {
        String model = trainable();
        String job = status(202, api.post("/models/" + model + "/jobs", job(40, 4))).body().get("id").stringValue();
        List<HttpApi.Event> live = api.jobEvents(job, null, 60);   // status first, then whatever is left of the run, then the end
        assertThat(live.get(0).event()).isEqualTo("status");
        assertThat(live.get(live.size() - 1).event()).isEqualTo("status");
        assertThat(HttpApi.JSON.readTree(live.get(live.size() - 1).data()).get("status").stringValue()).isEqualTo("succeeded");
        long previous = -1;
        for (HttpApi.Event e : live) {
            if (e.event().equals("step")) {
                long step = Long.parseLong(e.id());
                assertThat(previous == -1 || step == previous + 1).as("consecutive steps, %s after %s", step, previous).isTrue();
                assertThat(HttpApi.JSON.readTree(e.data()).get("step").longValue()).isEqualTo(step);
                previous = step;
            }
        }
        // a late client with Last-Event-ID: 0 gets the status, every step and every epoch, then the end
        List<HttpApi.Event> replay = api.jobEvents(job, "0", 60);
        assertThat(replay.get(0).event()).isEqualTo("status");
        assertThat(replay.stream().filter(e -> e.event().equals("step")).count()).isEqualTo(40 * 4);
        List<HttpApi.Event> epochs = replay.stream().filter(e -> e.event().equals("epoch")).toList();
        assertThat(epochs).hasSize(40);
        JsonNode last = HttpApi.JSON.readTree(epochs.get(39).data());
        assertThat(last.get("epoch").intValue()).isEqualTo(40);
        assertThat(last.get("mean_loss").doubleValue())
                .isEqualTo(status(200, api.get("/jobs/" + job + "/history")).body().get("epoch_loss").get(39).doubleValue());
        assertThat(last.get("val_accuracy").doubleValue()).isBetween(0.0, 1.0);
        // resuming after step 150 sends steps 151..160 only
        assertThat(api.jobEvents(job, "150", 60).stream().filter(e -> e.event().equals("step")).map(HttpApi.Event::id).toList())
                .containsExactly("151", "152", "153", "154", "155", "156", "157", "158", "159", "160");
        JsonNode history = status(200, api.get("/jobs/" + job + "/history")).body();
        assertThat(history.get("val_loss").size()).isEqualTo(40);
    }

    @Test
    void aRunningJobHoldsItsModelAndCancelThenResumeEndsAsAnUninterruptedRun() {
        String model = trainable();
        String job = status(202, api.post("/models/" + model + "/jobs", job(3000, 4))).body().get("id").stringValue();
        await(job, j -> j.get("status").stringValue().equals("running") && j.get("step").longValue() > 0);
        HttpApi.Answer patch = status(409, api.patch("/models/" + model, Map.of("name", "renamed")));
        assertThat(patch.body().get("detail").stringValue()).contains(job);
        assertThat(status(409, api.post("/models/" + model + "/train-step", Map.of("input", List.of(List.of(1, 2, 3, 4)),
                "target", List.of(0), "loss", "cross_entropy"))).body().get("detail").stringValue()).contains(job);
        status(409, api.delete("/models/" + model));
        status(409, api.post("/models/" + model + "/jobs", job(1, 4)));   // one job per model
        assertThat(status(200, api.get("/models/" + model + "/state-dict")).header("ETag")).isNull();   // reads go on between steps
        assertThat(status(200, api.get("/models/" + model)).header("ETag")).isNull();
        status(200, api.get("/models/" + model + "/stats"));
        status(202, api.post("/jobs/" + job + "/cancel", Map.of()));
        JsonNode cancelled = awaitEnd(job);
        assertThat(cancelled.get("status").stringValue()).isEqualTo("cancelled");
        long step = cancelled.get("step").longValue();
        assertThat(step).isPositive().isLessThan(cancelled.get("total_steps").longValue());
        JsonNode latest = status(200, api.get("/models/" + model + "/history")).body().get(0);
        // the steps since the epoch's commit are committed; at an epoch's end there are none
        assertThat(latest.get("operation").stringValue()).isEqualTo(step % 4 == 0 ? "job.epoch" : "job.cancel");
        assertThat(status(200, api.get("/jobs/" + job + "/history")).body().get("step_loss").size()).isEqualTo(step);
        status(409, api.post("/jobs/" + job + "/cancel", Map.of()));
        status(200, api.patch("/models/" + model, Map.of("name", "free again")));
        assertThat(status(200, api.get("/models/" + model)).header("ETag")).isNotNull();

        status(202, api.post("/jobs/" + job + "/resume", Map.of()));
        assertThat(awaitEnd(job).get("status").stringValue()).isEqualTo("succeeded");
        String reference = trainable();
        String whole = status(202, api.post("/models/" + reference + "/jobs", job(3000, 4))).body().get("id").stringValue();
        assertThat(awaitEnd(whole).get("status").stringValue()).isEqualTo("succeeded");
        assertThat(status(200, api.get("/models/" + model + "/state-dict")).body())
                .isEqualTo(status(200, api.get("/models/" + reference + "/state-dict")).body());
        assertThat(status(200, api.get("/jobs/" + job + "/history")).body())
                .isEqualTo(status(200, api.get("/jobs/" + whole + "/history")).body());
        // deleting the model deletes its jobs
        status(204, api.delete("/models/" + model));
        status(404, api.get("/jobs/" + job));
    }

    @Test
    void aJobNeedsAnOptimizerAndValidInput() {
        String model = api.create(NET);
        assertThat(status(409, api.post("/models/" + model + "/jobs", job(1, 4))).body().get("type").stringValue())
                .isEqualTo("urn:paramlab:problem:no-optimizer");
        status(200, api.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.1)));
        Map<String, Object> bad = new LinkedHashMap<>(job(1, 4));
        bad.put("batch_size", 0);
        status(400, api.post("/models/" + model + "/jobs", bad));
        bad = new LinkedHashMap<>(job(1, 4));
        bad.put("data", Map.of("input", List.of(List.of(1, 2, 3, 4)), "target", List.of(0, 1)));
        status(400, api.post("/models/" + model + "/jobs", bad));
        status(404, api.post("/models/nope/jobs", job(1, 4)));
        status(404, api.get("/jobs/nope"));
        // a shape the model cannot take is refused before the job is queued (JobDryRunHttpTest has the rest)
        bad = new LinkedHashMap<>(job(1, 4));
        bad.put("data", Map.of("input", List.of(List.of(1, 2, 3)), "target", List.of(0)));
        JsonNode refused = status(422, api.post("/models/" + model + "/jobs", bad)).body();
        assertThat(refused.get("detail").stringValue()).contains("mat1 and mat2");
        assertThat(refused.get("errors").get(0).get("field").stringValue()).isEqualTo("data");
        assertThat(status(200, api.get("/models/" + model + "/jobs")).body().size()).isZero();
    }

    @Test
    void aJobAnswersItsSettingsWithDefaultsAndTheOptimizerItWasSubmittedWith() {
        String model = trainable();
        JsonNode created = status(202, api.post("/models/" + model + "/jobs", job(1, 2))).body();
        String job = created.get("id").stringValue();
        assertThat(awaitEnd(job).get("status").stringValue()).isEqualTo("succeeded");
        status(200, api.put("/models/" + model + "/optimizer", Map.of("type", "Adam")));   // later: not the job's
        for (JsonNode view : List.of(created, status(200, api.get("/jobs/" + job)).body())) {
            JsonNode s = view.get("settings");
            assertThat(s.get("loss").stringValue()).isEqualTo("cross_entropy");
            assertThat(s.get("epochs").intValue()).isEqualTo(1);
            assertThat(s.get("batch_size").intValue()).isEqualTo(5);
            assertThat(s.get("seed").longValue()).isEqualTo(7);
            assertThat(s.get("shuffle").booleanValue()).as("default").isTrue();
            assertThat(s.get("drop_last").booleanValue()).as("default").isFalse();
            assertThat(s.get("scheduler_step").stringValue()).as("default").isEqualTo("epoch");
            assertThat(s.get("checkpoint_every").intValue()).as("default").isZero();
            assertThat(s.get("dataset").isString()).as("inline data stored as a dataset").isTrue();
            assertThat(s.get("validation").isString()).isTrue();
            assertThat(s.get("optimizer").get("type").stringValue()).isEqualTo("SGD");
            assertThat(s.get("optimizer").get("momentum").doubleValue()).isEqualTo(0.9);
            assertThat(s.get("optimizer").get("scheduler").get("type").stringValue()).isEqualTo("StepLR");
        }
    }

    @Test
    void checkpointEveryTagsTheEpochsInTheStore() {
        String model = trainable();
        Map<String, Object> body = new LinkedHashMap<>(job(5, 4));
        body.put("checkpoint_every", 2);
        String job = status(202, api.post("/models/" + model + "/jobs", body)).body().get("id").stringValue();
        assertThat(awaitEnd(job).get("status").stringValue()).isEqualTo("succeeded");
        List<String> tags = new ArrayList<>();
        status(200, api.get("/models/" + model + "/checkpoints")).body().forEach(c -> tags.add(c.get("tag").stringValue()));
        assertThat(tags).containsExactly("job-" + job + "-epoch-2", "job-" + job + "-epoch-4");
    }

    @Test
    void datasetsAreStoredListedUsedAndGuarded() {
        Map<String, Object> data = data(12);
        Map<String, Object> body = new LinkedHashMap<>(data);
        body.put("name", "blobs");
        HttpApi.Answer created = status(201, api.post("/datasets", body));
        JsonNode d = created.body();
        String id = d.get("id").stringValue();
        assertThat(created.header("Location")).isEqualTo("/api/v1/datasets/" + id);
        assertThat(d.get("name").stringValue()).isEqualTo("blobs");
        assertThat(d.get("size").intValue()).isEqualTo(12);
        assertThat(d.get("input_shape").toString()).isEqualTo("[12,4]");
        assertThat(d.get("target_shape").toString()).isEqualTo("[12]");
        assertThat(d.get("target_dtype").stringValue()).isEqualTo("int64");
        assertThat(d.get("bytes").longValue()).isEqualTo(12 * 4 * 4 + 12 * 8);
        assertThat(status(200, api.get("/datasets/" + id)).body()).isEqualTo(d);
        assertThat(status(200, api.get("/datasets")).body().toString()).contains(id);
        status(400, api.post("/datasets", Map.of("input", List.of(List.of(1, 2)), "target", List.of(1, 2))));
        status(413, api.post("/datasets", Map.of("input", new float[50_001][2], "target", new float[50_001])));

        String model = trainable();
        Map<String, Object> job = new LinkedHashMap<>(job(2000, 4));
        job.remove("data");
        job.put("dataset", id);
        job.put("validation", Map.of("dataset", id));
        String running = status(202, api.post("/models/" + model + "/jobs", job)).body().get("id").stringValue();
        status(409, api.delete("/datasets/" + id));
        status(202, api.post("/jobs/" + running + "/cancel", Map.of()));
        awaitEnd(running);
        status(204, api.delete("/datasets/" + id));
        status(404, api.get("/datasets/" + id));
    }

    // ---- helpers

    /** A model with SGD (momentum) and a StepLR scheduler. */
    private String trainable() {
        String model = api.create(NET);
        status(200, api.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.05, "momentum", 0.9,
                "scheduler", Map.of("type", "StepLR", "step_size", 10, "gamma", 0.5))));
        return model;
    }

    /** Three blobs of 4 features, {@code n} samples with class indices. */
    private static Map<String, Object> data(int n) {
        List<List<Double>> input = new ArrayList<>();
        List<Integer> target = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            input.add(List.of(c + 0.1 * (i % 5), -c + 0.05 * i % 1, 0.3 * c, 1.0 - 0.2 * (i % 4)));
            target.add(c);
        }
        return Map.of("input", input, "target", Map.of("data", target, "dtype", "int64"));
    }

    private static Map<String, Object> job(int epochs, int batches) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data(batches * 5 - 2));
        body.put("validation", Map.of("data", data(9)));
        body.put("loss", "cross_entropy");
        body.put("epochs", epochs);
        body.put("batch_size", 5);
        body.put("seed", 7);
        return body;
    }

    private JsonNode await(String job, java.util.function.Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode j = status(200, api.get("/jobs/" + job)).body();
            if (condition.test(j)) {
                return j;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return fail("job " + job + " did not get there: " + api.get("/jobs/" + job).body());
    }

    private JsonNode awaitEnd(String job) {
        return await(job, j -> !List.of("queued", "running").contains(j.get("status").stringValue()));
    }

    private static HttpApi.Answer status(int expected, HttpApi.Answer answer) {
        assertThat(answer.status()).as("status, answer " + answer.body()).isEqualTo(expected);
        return answer;
    }

    private static JsonNode flat(JsonNode data) {
        return HttpApi.JSON.valueToTree(Conformance.flatten(data));
    }

    private static void assertSeries(String what, JsonNode expected, JsonNode actual) {
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.size()).as(what + " size").isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            double a = actual.get(i).doubleValue();
            if (!(Math.abs(e - a) <= ATOL + RTOL * Math.abs(e))) {
                fail(what + "[" + i + "]: expected " + e + " but was " + a + " (rtol " + RTOL + ", atol " + ATOL + ")");
            }
        }
    }
}
