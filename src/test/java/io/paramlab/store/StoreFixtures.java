package io.paramlab.store;

import ch.qos.logback.classic.Level;
import io.paramlab.nn.TensorData;
import org.flywaydb.core.Flyway;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shared by the store's tests: migrations as Boot runs them, small chunks, a clock the test moves, states. */
final class StoreFixtures {
    static final int CHUNK_BYTES = 4096;

    private StoreFixtures() {
    }

    static void quietLogs() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    }

    /** What Boot's Flyway does with {@code spring.flyway.locations=classpath:db/migration/{vendor}}. */
    static void migrate(DataSource dataSource, String vendor) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/" + vendor).load().migrate();
    }

    static StoreProperties properties(int historyLimit) {
        return new StoreProperties(historyLimit, DataSize.ofBytes(CHUNK_BYTES), Duration.ofHours(24));
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /**
     * A small net's state: 0.weight (3000 floats, 3 chunks) tied to 2.weight, 0.bias, a BatchNorm's
     * running stats and its int64 num_batches_tracked, every float filled from {@code seed}.
     */
    static ModelState state(String name, int seed) {
        float[] weight = new float[3000];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) Math.sin(seed * 31 + i);
        }
        Map<String, TensorData> stateDict = new LinkedHashMap<>();
        stateDict.put("0.weight", TensorData.ofFloats(weight, 60, 50));
        stateDict.put("0.bias", TensorData.ofFloats(new float[] {seed, -0.0f, Float.MIN_VALUE, Float.intBitsToFloat(0x7fc00123)}, 4));
        stateDict.put("1.running_mean", TensorData.ofFloats(new float[] {0.5f, Float.NEGATIVE_INFINITY, 1e-40f}, 3));
        stateDict.put("1.num_batches_tracked", TensorData.ofLongs(new long[] {Long.MIN_VALUE + seed}));
        stateDict.put("1.empty", TensorData.ofFloats(new float[0], 0, 5));
        stateDict.put("2.weight", TensorData.ofFloats(weight, 60, 50));
        Map<String, Boolean> requiresGrad = new LinkedHashMap<>();
        requiresGrad.put("0.weight", true);
        requiresGrad.put("0.bias", false);
        byte[] generator = new io.paramlab.tensor.Generator(seed).state();
        return new ModelState(name, "{\"layers\":[]}", seed % 2 == 0, generator, requiresGrad, stateDict,
                seed % 3 == 0 ? null : "{\"type\":\"sgd\",\"lr\":" + seed + "}");
    }
}
