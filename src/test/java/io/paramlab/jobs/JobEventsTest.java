package io.paramlab.jobs;

import io.paramlab.store.JobStore;
import io.paramlab.store.JobStore.EpochRow;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23, item 8: many readers join a job's event stream with {@code Last-Event-ID: 0} at random
 * moments while it runs; each must see every step and epoch once, in order, and a status that never
 * goes back. Real threads: one job publishing as {@code JobRunner} does, readers subscribing as
 * {@code JobService.events} does.
 */
class JobEventsTest {
    private static final int EPOCHS = 6;
    private static final int STEPS_PER_EPOCH = 40;
    private static final int READERS = 60;

    /** An emitter that keeps what is sent to it: each event's name and data. */
    private static final class Recording extends SseEmitter {
        final List<String> names = new ArrayList<>();
        final List<Object> data = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public synchronized void send(SseEventBuilder builder) {
            String name = null;
            Object payload = null;
            for (var part : builder.build()) {
                if (part.getData() instanceof String text && text.contains("event:")) {
                    name = text.substring(text.indexOf("event:") + 6).lines().findFirst().orElseThrow();
                } else if (!(part.getData() instanceof String)) {
                    payload = part.getData();
                }
            }
            names.add(name);
            data.add(payload);
        }

        @Override
        public void complete() {
            done.countDown();
        }

        @Override
        public void completeWithError(Throwable ex) {
            done.countDown();
        }
    }

    private static LiveJob queuedJob() {
        String request = "{\"dataset\": \"d\", \"loss\": \"mse_loss\", \"epochs\": " + EPOCHS + ", \"batchSize\": 1, "
                + "\"shuffle\": false, \"seed\": 0, \"dropLast\": false, \"schedulerStep\": \"epoch\", \"checkpointEvery\": 0}";
        return new LiveJob(new JobStore.JobRecord("job-1", "model-1", "queued", request, "d", null, "t", 0, 0, 0, null, null,
                Instant.now(), null, null, null), List.of(), List.of());
    }

    @Test
    void readersJoiningAtRandomDuringAJobSeeEveryEventOnceInOrder() throws Exception {
        for (int round = 0; round < 3; round++) {
            JobEvents events = new JobEvents();
            LiveJob job = queuedJob();
            List<Recording> readers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            long totalSteps = (long) EPOCHS * STEPS_PER_EPOCH;
            Thread runner = new Thread(() -> {
                job.start(totalSteps, Instant.now());
                events.status(job);
                for (int epoch = 1; epoch <= EPOCHS; epoch++) {
                    for (int b = 0; b < STEPS_PER_EPOCH; b++) {
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(20_000, 200_000));   // the step's work
                        job.recordStep(epoch, 1f / (job.step() + 1), List.of(0.1));
                        events.step(job.id, job.step(), epoch, (double) (1f / job.step()), List.of(0.1));
                    }
                    EpochRow row = new EpochRow(epoch, 0.5, null, null);
                    job.endEpoch(row, null);
                    events.epoch(job.id, row);
                }
                job.finish("succeeded", null, Instant.now());
                job.report();   // as JobService does once the model is let go of
                events.status(job);
            });
            for (int r = 0; r < READERS; r++) {
                Recording reader = new Recording();
                readers.add(reader);
                long delay = ThreadLocalRandom.current().nextLong(0, 40_000_000L);
                threads.add(new Thread(() -> {
                    LockSupport.parkNanos(delay);
                    events.subscribe(job.id, reader, 0L, job::snapshot);
                }));
            }
            runner.start();
            threads.forEach(Thread::start);
            runner.join(30_000);
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (Recording reader : readers) {
                assertThat(reader.done.await(10, TimeUnit.SECONDS)).as("the stream ended with the job").isTrue();
                check(reader, round);
            }
            events.stop();
        }
    }

    private static void check(Recording reader, int round) {
        List<Long> steps = new ArrayList<>();
        List<Object> epochs = new ArrayList<>();
        long lastStatusStep = -1;
        String lastStatus = null;
        synchronized (reader) {
            for (int i = 0; i < reader.names.size(); i++) {
                Object data = reader.data.get(i);
                switch (reader.names.get(i)) {
                    case "step" -> steps.add(((Number) ((Map<?, ?>) data).get("step")).longValue());
                    case "epoch" -> {
                        epochs.add(((Map<?, ?>) data).get("epoch"));
                        // an epoch's event follows its last step
                        assertThat(steps.size()).as("round %d: steps before epoch %s", round, epochs.size())
                                .isEqualTo(epochs.size() * STEPS_PER_EPOCH);
                    }
                    case "status" -> {
                        JobView view = (JobView) data;
                        assertThat(view.step()).as("round %d: a status never goes back", round).isGreaterThanOrEqualTo(lastStatusStep)
                                .isGreaterThanOrEqualTo(steps.size());
                        lastStatusStep = view.step();
                        lastStatus = view.status();
                    }
                    default -> throw new AssertionError(reader.names.get(i));
                }
            }
        }
        List<Long> expectedSteps = new ArrayList<>();
        for (long s = 1; s <= (long) EPOCHS * STEPS_PER_EPOCH; s++) {
            expectedSteps.add(s);
        }
        assertThat(steps).as("round %d: every step once, in order", round).isEqualTo(expectedSteps);
        assertThat(epochs).as("round %d: every epoch once, in order", round).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(lastStatus).isEqualTo("succeeded");
    }
}
