package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Many clients on one model never see a half-applied write. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConcurrencyTest {
    @LocalServerPort
    int port;

    @Test
    void readersNeverSeeAHalfLoadedStateDict() throws Exception {
        HttpApi api = new HttpApi(port);
        Map<String, Object> wide = Map.of("seed", 0, "model", Map.of("type", "Linear", "in_features", 200, "out_features", 200));
        String id = api.create(wide);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Set<Double>>> readers = new ArrayList<>();
        Future<?> writer = pool.submit(() -> {
            for (int k = 1; k <= 30; k++) {
                float[] w = new float[200 * 200];
                float[] b = new float[200];
                java.util.Arrays.fill(w, k);
                java.util.Arrays.fill(b, k);
                HttpApi.Answer answer = api.put("/models/" + id + "/state-dict",
                        Map.of("weight", Map.of("shape", List.of(200, 200), "data", w), "bias", Map.of("shape", List.of(200), "data", b)));
                assertThat(answer.status()).isEqualTo(200);
            }
        });
        for (int r = 0; r < 3; r++) {
            readers.add(pool.submit(() -> {
                Set<Double> seen = new HashSet<>();
                for (int i = 0; i < 30; i++) {
                    JsonNode state = api.get("/models/" + id + "/state-dict").body();
                    Set<Double> values = new HashSet<>(Conformance.flatten(state.get("weight").get("data")));
                    values.addAll(Conformance.flatten(state.get("bias").get("data")));
                    // before the first write the values are Linear's random draws, all below 1 in magnitude;
                    // after it, one read must show exactly one whole write: a single value k
                    if (values.stream().anyMatch(v -> v >= 1)) {
                        assertThat(values).as("a read mixing writes").hasSize(1);
                        seen.addAll(values);
                    }
                }
                return seen;
            }));
        }
        writer.get(60, TimeUnit.SECONDS);
        for (Future<Set<Double>> reader : readers) {
            reader.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        JsonNode finalState = api.get("/models/" + id + "/state-dict").body();
        assertThat(new HashSet<>(Conformance.flatten(finalState.get("weight").get("data")))).containsExactly(30.0);
    }
}
