package io.paramlab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child JVM commits version after version and prints each one acknowledged; it is killed with
 * SIGKILL at a random moment. Reopened, the store has every acknowledged version and checkpoint,
 * and the version it has is whole: its state is exactly that version's. Each commit names what changed
 * (one tensor whole, two elements of another), so most chunks are taken from the version it replaces.
 */
class DurabilityTest {
    static {
        StoreFixtures.quietLogs();
    }

    private static final int ROUNDS = 3;

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedCommitSurvivesSigkill() throws Exception {
        Random random = new Random();
        for (int round = 0; round < ROUNDS; round++) {
            AtomicLong acked = new AtomicLong();
            List<String> checkpoints = new CopyOnWriteArrayList<>();
            Process child = ChildJvm.start("256m", "commit-loop", dataDir);
            Thread reader = new Thread(() -> readAcks(child, acked, checkpoints));
            reader.start();
            long target = acked.get() + 5 + random.nextInt(40);
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked.get() < target && child.isAlive() && System.nanoTime() < waitUntil) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(20));
            child.destroyForcibly();   // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();
            assertThat(acked.get()).as("the child committed before it was killed").isPositive();
            checkStore(acked.get(), checkpoints);
        }
    }

    private static void readAcks(Process child, AtomicLong acked, List<String> checkpoints) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("acked ")) {
                    acked.set(Long.parseLong(line.substring(6)));
                } else if (line.startsWith("checkpoint ")) {
                    checkpoints.add(line.substring(11));
                }
            }
        } catch (java.io.IOException e) {
            // the child died mid-line: what was read is what was acknowledged
        }
    }

    private void checkStore(long lastAcked, List<String> ackedCheckpoints) {
        try (EmbeddedDatabase database = EmbeddedDatabase.open(dataDir)) {
            JdbcClient jdbc = JdbcClient.create(database.dataSource());
            assertThat(jdbc.sql("PRAGMA integrity_check").query(String.class).list()).containsExactly("ok");
            JdbcModelStore store = StoreProcess.store(database);
            StoredModel model = store.load(StoreProcess.MODEL).orElseThrow();
            long version = model.version();
            assertThat(version).as("every acknowledged version is there").isGreaterThanOrEqualTo(lastAcked);
            ModelStoreContract.assertSameState(model.state(), StoreProcess.stateAt(version));
            assertThat(model.state().stateDict().get("2.weight").floats())
                    .isSameAs(model.state().stateDict().get("0.weight").floats());
            List<HistoryEntry> history = store.history(StoreProcess.MODEL, 1000);
            assertThat(history).extracting(HistoryEntry::version)
                    .containsExactlyElementsOf(java.util.stream.LongStream.iterate(version, v -> v > 0 && v > version - 50, v -> v - 1)
                            .boxed().toList());
            for (String tag : ackedCheckpoints) {
                Checkpoint checkpoint = store.getCheckpoint(StoreProcess.MODEL, tag).orElseThrow();
                ModelStoreContract.assertSameState(store.loadCheckpointState(StoreProcess.MODEL, tag).orElseThrow(),
                        StoreProcess.stateAt(checkpoint.modelVersion()));
            }
            long checkpoints = jdbc.sql("SELECT COUNT(*) FROM checkpoint").query(Long.class).single();
            assertThat(jdbc.sql("SELECT COUNT(*) FROM state").query(Long.class).single())
                    .as("no state outside the model and its checkpoints").isEqualTo(1 + checkpoints);
            store.reclaimUnreferencedChunks();   // a kill between a commit and its sweep may leave some
            assertThat(jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single())
                    .isEqualTo(jdbc.sql("SELECT COUNT(DISTINCT digest) FROM tensor_chunk").query(Long.class).single());
        }
    }
}
