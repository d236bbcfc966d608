package io.paramlab.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23 item 7, fairness: a change queued behind a slow read goes next, even while new reads keep
 * arriving and overlapping (there is never a moment without a reader); the reads that arrived after it wait for it.
 */
class LockFairnessTest {
    @TempDir
    Path dataDir;

    @BeforeEach
    void actAsTheService() {
        RequestContext.set(RequestContext.SERVICE);
    }

    @AfterEach
    void leave() {
        RequestContext.clear();
    }

    @Test
    void aWriterQueuedBehindASlowReaderIsNotStarvedByReadersThatKeepArriving() throws Exception {
        ModelRegistry registry = new ModelRegistry(Stores.limits(1000, 1000, 10, 1_000_000), Stores.sqlite(dataDir), dataDir);
        LiveModel model = registry.create(JsonMapper.builder().build().readTree(
                "{\"model\": {\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 2}}"));
        ExecutorService readers = Executors.newFixedThreadPool(9);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger readsAfterTheWriterQueued = new AtomicInteger();
        AtomicInteger readsDone = new AtomicInteger();
        CountDownLatch slowReaderIn = new CountDownLatch(1);
        try {
            readers.submit(() -> model.read(() -> {
                slowReaderIn.countDown();
                sleep(400);
                return null;
            }));
            assertThat(slowReaderIn.await(5, TimeUnit.SECONDS)).isTrue();
            long queuedAt = System.nanoTime();
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(Stores.asService(
                    () -> model.change("test", Footprint.METADATA, () -> System.nanoTime())));
            Thread.sleep(50);   // the writer is queued behind the slow reader
            // eight readers, each reading for 100 ms and coming back 2 ms later: reads overlap without a gap
            List<java.util.concurrent.Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int offset = i;
                loops.add(readers.submit(() -> {
                    sleep(offset * 12);
                    while (!stop.get()) {
                        model.read(() -> {
                            sleep(100);
                            return null;
                        });
                        readsDone.incrementAndGet();
                        sleep(2);
                    }
                    return null;
                }));
            }
            long wroteAt = writer.get(5, TimeUnit.SECONDS);
            long waitedMillis = (wroteAt - queuedAt) / 1_000_000;
            readsAfterTheWriterQueued.set(readsDone.get());
            assertThat(waitedMillis).as("the writer waited for the slow read only, not for the reads that came after it")
                    .isLessThan(1500);
            Thread.sleep(300);
            assertThat(readsDone.get()).as("the readers go on after the writer").isGreaterThan(readsAfterTheWriterQueued.get());
            stop.set(true);
            for (java.util.concurrent.Future<?> loop : loops) {
                loop.get(5, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            readers.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
