package io.paramlab.store;

import io.paramlab.nn.TensorData;
import io.paramlab.tensor.Generator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A second JVM for the store's process tests, started by {@link ChildJvm}:
 * {@code open DIR} (the lock), {@code commit-loop DIR} (the durability test),
 * {@code large DIR} (a 25M-parameter model under a small heap).
 */
public final class StoreProcess {
    static final String MODEL = "durable";
    static final int TENSOR_ELEMENTS = 20_000;

    private StoreProcess() {
    }

    public static void main(String[] args) throws Exception {
        StoreFixtures.quietLogs();
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "open" -> open(dir);
            case "commit-loop" -> commitLoop(dir);
            case "large" -> large(dir);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void open(Path dir) {
        try (EmbeddedDatabase database = EmbeddedDatabase.open(dir)) {
            System.out.println("opened " + database.dataDir());
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }

    /** The state every version of the durable model has: all of it derived from the version, so a torn one shows. */
    static ModelState stateAt(long version) {
        float[] weight = new float[TENSOR_ELEMENTS];
        Arrays.fill(weight, version);
        weight[(int) (version % TENSOR_ELEMENTS)] = -version;
        Map<String, TensorData> stateDict = new LinkedHashMap<>();
        stateDict.put("0.weight", TensorData.ofFloats(weight, 100, 200));
        stateDict.put("1.num_batches_tracked", TensorData.ofLongs(new long[] {version}));
        stateDict.put("2.weight", TensorData.ofFloats(weight, 100, 200));
        float[] mostlyKept = new float[TENSOR_ELEMENTS];   // two elements differ from the previous version's
        for (int i = 0; i < mostlyKept.length; i++) {
            mostlyKept[i] = i;
        }
        mostlyKept[marked(version)] = -version;
        stateDict.put("3.weight", TensorData.ofFloats(mostlyKept, TENSOR_ELEMENTS));
        Generator generator = new Generator(version);
        return new ModelState("v" + version, "{\"version\":" + version + "}", version % 2 == 0, generator.state(),
                Map.of("0.weight", true), stateDict, "{\"step\":" + version + "}");
    }

    /** What differs between versions {@code version} and {@code version + 1}: all of 0.weight (2.weight is its alias), two elements of 3.weight. */
    static TensorChanges changesAfter(long version) {
        int a = marked(version);
        int b = marked(version + 1);
        return TensorChanges.of(Map.of("0.weight", new TensorChanges.Whole(), "1.num_batches_tracked", new TensorChanges.Whole(),
                "3.weight", new TensorChanges.Some(new int[] {Math.min(a, b), Math.max(a, b)})));
    }

    /** The element of 3.weight that version marks: consecutive versions' are over 4 KiB chunks apart. */
    private static int marked(long version) {
        return (int) (version * 4099 % TENSOR_ELEMENTS);
    }

    static JdbcModelStore store(EmbeddedDatabase database) {
        StoreFixtures.migrate(database.dataSource(), "sqlite");
        return new JdbcModelStore(database.dataSource(), StoreFixtures.properties(50), Clock.systemUTC());
    }

    /** Commits version after version, printing each once commit returned; a checkpoint every 10 versions. */
    private static void commitLoop(Path dir) {
        EmbeddedDatabase database = EmbeddedDatabase.open(dir);
        JdbcModelStore store = store(database);
        if (store.find(MODEL).isEmpty()) {
            store.create(new ModelRecord(MODEL, null, stateAt(1)), new Change("test", "create", "v1"));
            System.out.println("acked 1");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long version = store.find(MODEL).orElseThrow().version();
            store.commit(MODEL, version, stateAt(version + 1), changesAfter(version), new Change("test", "patch", "v" + (version + 1)));
            System.out.println("acked " + (version + 1));
            if ((version + 1) % 10 == 0) {
                store.createCheckpoint(MODEL, "v" + (version + 1), null);
                System.out.println("checkpoint v" + (version + 1));
            }
        }
        database.close();
    }

    /** 25M parameters stored, changed in one element, checkpointed and loaded back: run it under -Xmx512m. */
    private static void large(Path dir) {
        try (EmbeddedDatabase database = EmbeddedDatabase.open(dir)) {
            StoreFixtures.migrate(database.dataSource(), "sqlite");
            JdbcModelStore store = new JdbcModelStore(database.dataSource(),
                    new StoreProperties(10000, DataSize.ofMegabytes(4), Duration.ofHours(24)), Clock.systemUTC());
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            float[] weight = new float[25_000_000];
            for (int i = 0; i < weight.length; i++) {
                weight[i] = (i % 9973) * 1e-3f;
            }
            ModelState state = new ModelState("large", "{}", true, null, Map.of("0.weight", true),
                    Map.of("0.weight", TensorData.ofFloats(weight, 5000, 5000)), null);
            long start = System.nanoTime();
            store.create(new ModelRecord("large", null, state), new Change("test", "create", "large"));
            long created = System.nanoTime();
            store.createCheckpoint("large", "before", null);
            long chunks = jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single();
            weight[12_345_678] = 42f;
            store.commit("large", 1, state, new Change("test", "parameter.patch", "one element"));
            long committed = System.nanoTime();
            long chunksAfter = jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single();
            float[] back = store.load("large").orElseThrow().state().stateDict().get("0.weight").floats();
            long loaded = System.nanoTime();
            if (!Arrays.equals(back, weight)) {
                throw new AssertionError("the large model did not come back as stored");
            }
            // the same one-element commit, now naming its element: one chunk hashed, the other 23 taken from version 2
            weight[23_456_789] = 43f;
            long named = System.nanoTime();
            store.commit("large", 2, state, TensorChanges.of(Map.of("0.weight", new TensorChanges.Some(new int[] {23_456_789}))),
                    new Change("test", "parameter.patch", "one element, named"));
            long namedCommitted = System.nanoTime();
            if (!Arrays.equals(store.load("large").orElseThrow().state().stateDict().get("0.weight").floats(), weight)) {
                throw new AssertionError("the large model did not come back as stored after a named commit");
            }
            System.out.printf("ok chunks %d then %d; create %d ms, commit %d ms, load %d ms, commit naming its element %d ms,"
                            + " max heap %d MiB%n",
                    chunks, chunksAfter, (created - start) / 1_000_000, (committed - created) / 1_000_000,
                    (loaded - committed) / 1_000_000, (namedCommitted - named) / 1_000_000, Runtime.getRuntime().maxMemory() >> 20);
        }
    }
}
