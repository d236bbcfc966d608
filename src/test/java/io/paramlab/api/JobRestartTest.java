package io.paramlab.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service in its own JVM is killed with SIGKILL in the middle of a job and started again on the
 * same data folder: the job is interrupted, its model holds its last committed epoch (exactly the
 * state of a run of that many epochs), and the resumed job ends with exactly the state and history
 * of a run never interrupted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JobRestartTest {
    static final String SPEC = """
            {"seed": 11, "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 64, "out_features": 512},
             {"type": "ReLU"}, {"type": "Linear", "in_features": 512, "out_features": 4}]}}""";
    static final int EPOCHS = 100;

    @TempDir
    Path dataDir;
    ServiceProcess service;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aJobKilledMidRunIsInterruptedAtItsLastEpochAndResumesToTheSameEnd() throws Exception {
        HttpApi api = start();
        String model = trainable(api);
        String job = api.post("/models/" + model + "/jobs", job(EPOCHS)).body().get("id").stringValue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (api.get("/jobs/" + job).body().get("epoch").intValue() < 3) {
            assertThat(System.nanoTime()).as("job did not reach epoch 3: %s", api.get("/jobs/" + job).body()).isLessThan(deadline);
            Thread.sleep(10);
        }
        JsonNode before = api.get("/jobs/" + job).body();
        service.kill();

        api = start();
        JsonNode interrupted = api.get("/jobs/" + job).body();
        assertThat(interrupted.get("status").stringValue()).isEqualTo("interrupted");
        int epoch = interrupted.get("epoch").intValue();
        assertThat(epoch).isBetween(3, EPOCHS - 1);
        assertThat(interrupted.get("step").longValue()).isEqualTo(epoch * 64L);
        assertThat(api.get("/jobs/" + job + "/history").body().get("epoch_loss").size()).isEqualTo(epoch);
        assertThat(api.get("/models/" + model + "/history?limit=1").body().get(0).get("operation").stringValue()).isEqualTo("job.epoch");
        // the model holds exactly what a run of that many epochs gives
        String partial = trainable(api);
        assertThat(awaitEnd(api, api.post("/models/" + partial + "/jobs", job(epoch)).body().get("id").stringValue())
                .get("status").stringValue()).isEqualTo("succeeded");
        assertThat(api.get("/models/" + model + "/state-dict").body()).isEqualTo(api.get("/models/" + partial + "/state-dict").body());

        assertThat(api.post("/jobs/" + job + "/resume", Map.of()).status()).isEqualTo(202);
        JsonNode resumed = awaitEnd(api, job);
        assertThat(resumed.get("status").stringValue()).isEqualTo("succeeded");
        assertThat(resumed.get("step").longValue()).isEqualTo(EPOCHS * 64L);
        assertThat(resumed.get("created_at")).isEqualTo(before.get("created_at"));
        String whole = trainable(api);
        String reference = api.post("/models/" + whole + "/jobs", job(EPOCHS)).body().get("id").stringValue();
        assertThat(awaitEnd(api, reference).get("status").stringValue()).isEqualTo("succeeded");
        assertThat(api.get("/models/" + model + "/state-dict").body()).isEqualTo(api.get("/models/" + whole + "/state-dict").body());
        assertThat(api.get("/models/" + model + "/optimizer/state-dict").body())
                .isEqualTo(api.get("/models/" + whole + "/optimizer/state-dict").body());
        assertThat(api.get("/jobs/" + job + "/history").body()).isEqualTo(api.get("/jobs/" + reference + "/history").body());
    }

    private static String trainable(HttpApi api) {
        String model = api.create(SPEC);
        assertThat(api.put("/models/" + model + "/optimizer", Map.of("type", "SGD", "lr", 0.01, "momentum", 0.9,
                "scheduler", Map.of("type", "StepLR", "step_size", 5, "gamma", 0.9))).status()).isEqualTo(200);
        return model;
    }

    /** 1024 samples of 64 features, 4 classes, batches of 16: 64 steps an epoch. */
    static Map<String, Object> job(int epochs) {
        List<List<Double>> input = new ArrayList<>();
        List<Integer> target = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            List<Double> row = new ArrayList<>();
            for (int j = 0; j < 64; j++) row.add(Math.sin(i * 0.37 + j * 0.11) + (i % 4 == j % 4 ? 0.5 : 0));
            input.add(row);
            target.add(i % 4);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", Map.of("input", input, "target", Map.of("data", target, "dtype", "int64")));
        body.put("loss", "cross_entropy");
        body.put("epochs", epochs);
        body.put("batch_size", 16);
        body.put("seed", 5);
        return body;
    }

    private static JsonNode awaitEnd(HttpApi api, String job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode j = api.get("/jobs/" + job).body();
            if (!List.of("queued", "running").contains(j.get("status").stringValue())) {
                return j;
            }
            assertThat(System.nanoTime()).as("job did not end: %s", j).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Starts the service on {@link #dataDir} in a JVM of its own and waits until it answers. */
    private HttpApi start() throws Exception {
        service = ServiceProcess.start("512m", List.of("--paramlab.data-dir=" + dataDir));
        return new HttpApi(service.port());
    }
}
