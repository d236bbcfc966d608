package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers put whole tensors of one value k (a PATCH of one parameter's data, a PUT of the whole
 * state dict) while readers check that every tensor they read holds one value and that the keys
 * of a tied parameter agree. A read that skips the lock sees a tensor half copied, or the keys of
 * the one shared Linear copied on either side of a write, and fails this test (tried by hand: with
 * LiveModel.read not taking the lock it fails on its first rounds).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConcurrencyTest {
    static final int N = 32;
    static final int USES = 64;   // one shared Linear under 64 paths: a read copies it 64 times, a long window to break into
    static final List<String> KEYS = keys();

        @LocalServerPort
    int port;

    @Test
    void readersSeeOnlyWholeWritesAndTiedKeysAgree() throws Exception {
        HttpApi api = new HttpApi(port);
        String id = api.create(Map.of("seed", 0,
                "shared", Map.of("s", Map.of("type", "Linear", "in_features", N, "out_features", N)),
                "model", Map.of("type", "Sequential", "layers", java.util.Collections.nCopies(USES, Map.of("ref", "s")))));
        assertThat(api.put("/models/" + id + "/state-dict", stateDict(0)).status()).isEqualTo(200);
        AtomicInteger next = new AtomicInteger(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> writers = new ArrayList<>();
        writers.add(pool.submit(() -> {
            for (int i = 0; i < 10; i++) {
                assertThat(api.put("/models/" + id + "/state-dict", stateDict(next.getAndIncrement())).status()).isEqualTo(200);
            }
        }));
        writers.add(pool.submit(() -> {
            for (int i = 0; i < 150; i++) {
                String name = i % 2 == 0 ? (i % 7) + ".weight" : (i % 5) + ".bias";   // every path names the one shared Linear
                float[] data = new float[name.endsWith("weight") ? N * N : N];
                Arrays.fill(data, next.getAndIncrement());
                List<Integer> shape = name.endsWith("weight") ? List.of(N, N) : List.of(N);
                assertThat(api.patch("/models/" + id + "/parameters/" + name,
                        Map.of("data", Map.of("shape", shape, "data", data))).status()).isEqualTo(200);
            }
        }));
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            readers.add(pool.submit(() -> {
                int reads = 0;
                while (writers.stream().anyMatch(w -> !w.isDone()) || reads == 0) {
                    JsonNode state = api.get("/models/" + id + "/state-dict").body();
                    Map<String, Set<Double>> values = new LinkedHashMap<>();
                    for (String key : KEYS) {
                        values.put(key, new HashSet<>(Conformance.flatten(state.get(key).get("data"))));
                        assertThat(values.get(key)).as("%s holds one whole write", key).hasSize(1);
                        String first = key.endsWith("weight") ? "0.weight" : "0.bias";
                        assertThat(values.get(key)).as("%s is tied to %s", key, first).isEqualTo(values.get(first));
                    }
                    JsonNode tied = api.get("/models/" + id + "/parameters/0.weight").body().get("data").get("data");
                    assertThat(new HashSet<>(Conformance.flatten(tied))).as("one parameter read alone").hasSize(1);
                    reads++;
                }
                return reads;
            }));
        }
        for (Future<?> writer : writers) {
            writer.get(90, TimeUnit.SECONDS);
        }
        for (Future<Integer> reader : readers) {
            assertThat(reader.get(90, TimeUnit.SECONDS)).isPositive();
        }
        pool.shutdown();
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < USES; i++) {
            keys.add(i + ".weight");
            keys.add(i + ".bias");
        }
        return List.copyOf(keys);
    }

    private static Map<String, Object> stateDict(int k) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String key : KEYS) {
            boolean weight = key.endsWith("weight");
            float[] data = new float[weight ? N * N : N];
            Arrays.fill(data, k);
            state.put(key, Map.of("shape", weight ? List.of(N, N) : List.of(N), "data", data));
        }
        return state;
    }
}
