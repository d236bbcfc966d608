package io.paramlab.jobs;

import io.paramlab.store.JobStore.EpochRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Jobs' Server-Sent Events. Everything is sent from one dispatcher thread, so a job never waits on
 * a slow client and each client sees events in order; a subscriber first gets the job's status,
 * then (with {@code Last-Event-ID}) the steps and epochs it missed, then live events, skipping
 * those its replay already covered. The stream ends with the job.
 *
 * <p>Replay and live hand over without a gap or a duplicate: a job records a step before it
 * publishes it, and the replay's snapshot is read on the dispatcher, so an event queued before the
 * snapshot is in it (and skipped by number) and one queued after it runs after the subscriber joined.
 * A job skips publishing only while nobody is subscribed or subscribing ({@code interest} is raised
 * before the subscription is queued). A status is read and queued under the job's monitor with the
 * job's {@link LiveJob#sequence}, so statuses are queued in the order they were read, and one older
 * than a subscriber's snapshot is never sent to it.
 */
@Component
public class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "paramlab-job-events");
        thread.setDaemon(true);
        return thread;
    });
    // touched by the dispatcher thread only
    private final Map<String, List<Subscriber>> streams = new ConcurrentHashMap<>();
    // subscribers joined or joining, per job: raised by the subscribing thread, read by job threads to skip work
    private final Map<String, Integer> interest = new ConcurrentHashMap<>();

    /** A client, with how far its replay went: live events up to there are not sent again. */
    private static final class Subscriber {
        final SseEmitter emitter;
        final long replayedSteps;
        final int replayedEpochs;
        final long replayedSequence;

        Subscriber(SseEmitter emitter, LiveJob.Snapshot s) {
            this.emitter = emitter;
            this.replayedSteps = s.stepLoss().size();
            this.replayedEpochs = s.epochs().size();
            this.replayedSequence = s.sequence();
        }
    }

    /** Streams the job to {@code emitter}: status first, the steps after {@code lastEventId} (null: none), then live. */
    void subscribe(String jobId, SseEmitter emitter, Long lastEventId, java.util.function.Supplier<LiveJob.Snapshot> snapshot) {
        interest.merge(jobId, 1, Integer::sum);   // before the snapshot is queued: from now on the job publishes
        dispatcher.execute(() -> {
            LiveJob.Snapshot s;
            try {
                s = snapshot.get();
                emitter.send(statusEvent(s.view()));
                if (lastEventId != null) {
                    replay(emitter, s, lastEventId);
                }
            } catch (IOException | RuntimeException e) {
                lose(jobId, 1);
                emitter.completeWithError(e);
                return;
            }
            if (s.view().finished()) {
                lose(jobId, 1);
                emitter.complete();
                return;
            }
            Subscriber subscriber = new Subscriber(emitter, s);
            streams.computeIfAbsent(jobId, id -> new ArrayList<>()).add(subscriber);
            Runnable drop = () -> dispatcher.execute(() -> remove(jobId, subscriber));
            emitter.onCompletion(drop);
            emitter.onError(e -> drop.run());
            emitter.onTimeout(drop);
        });
    }

    private static void replay(SseEmitter emitter, LiveJob.Snapshot s, long after) throws IOException {
        for (int i = 0; i < s.stepLoss().size(); i++) {
            long step = i + 1;
            int epoch = s.stepEpoch().get(i);
            if (step > after) {
                emitter.send(step(step, epoch, s.stepLoss().get(i), s.lr().get(i)));
            }
            boolean lastOfEpoch = i + 1 == s.stepLoss().size() || s.stepEpoch().get(i + 1) != epoch;
            if (lastOfEpoch && step > after && epoch <= s.epochs().size()) {
                emitter.send(epoch(s.epochs().get(epoch - 1)));
            }
        }
    }

    /** A step the job has recorded already (so that a snapshot read from now on has it). */
    void step(String jobId, long step, int epoch, Double loss, List<Number> lr) {
        if (interest.containsKey(jobId)) {
            publish(jobId, subscriber -> step > subscriber.replayedSteps ? step(step, epoch, loss, lr) : null, false);
        }
    }

    /** An epoch the job has recorded already. */
    void epoch(String jobId, EpochRow row) {
        if (interest.containsKey(jobId)) {
            publish(jobId, subscriber -> row.epoch() > subscriber.replayedEpochs ? epoch(row) : null, false);
        }
    }

    /** The job's status as it is now; when it has finished, every stream of it ends. */
    void status(LiveJob job) {
        synchronized (job) {   // read and queued together: statuses reach the dispatcher in the order they were read
            JobView view = job.view();
            long sequence = job.sequence();
            publish(job.id, subscriber -> sequence > subscriber.replayedSequence ? statusEvent(view) : null, view.finished());
        }
    }

    private void publish(String jobId, java.util.function.Function<Subscriber, SseEmitter.SseEventBuilder> event, boolean last) {
        dispatcher.execute(() -> {
            List<Subscriber> subscribers = last ? streams.remove(jobId) : streams.get(jobId);
            if (subscribers == null) {
                return;
            }
            if (last) {
                lose(jobId, subscribers.size());
            }
            for (Subscriber subscriber : List.copyOf(subscribers)) {
                try {
                    SseEmitter.SseEventBuilder built = event.apply(subscriber);
                    if (built != null) {
                        subscriber.emitter.send(built);
                    }
                    if (last) {
                        subscriber.emitter.complete();
                    }
                } catch (IOException | IllegalStateException e) {
                    log.debug("job {}: a client of its events went away: {}", jobId, e.getMessage());
                    if (subscribers.remove(subscriber) && !last) {
                        lose(jobId, 1);
                    }
                    subscriber.emitter.completeWithError(e);
                }
            }
        });
    }

    private void remove(String jobId, Subscriber subscriber) {
        List<Subscriber> subscribers = streams.get(jobId);
        if (subscribers != null && subscribers.remove(subscriber)) {
            lose(jobId, 1);
            if (subscribers.isEmpty()) {
                streams.remove(jobId);
            }
        }
    }

    /** {@code n} subscribers of the job are gone. */
    private void lose(String jobId, int n) {
        interest.computeIfPresent(jobId, (id, count) -> count > n ? count - n : null);
    }

    private static SseEmitter.SseEventBuilder statusEvent(JobView job) {
        return SseEmitter.event().name("status").data(job, MediaType.APPLICATION_JSON);
    }

    private static SseEmitter.SseEventBuilder step(long step, int epoch, Double loss, List<Number> lr) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step", step);
        data.put("epoch", epoch);
        data.put("loss", loss);
        data.put("lr", lr);
        return SseEmitter.event().name("step").id(Long.toString(step)).data(data, MediaType.APPLICATION_JSON);
    }

    private static SseEmitter.SseEventBuilder epoch(EpochRow row) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("epoch", row.epoch());
        data.put("mean_loss", row.meanLoss());
        data.put("val_loss", row.valLoss());
        data.put("val_accuracy", row.valAccuracy());
        return SseEmitter.event().name("epoch").data(data, MediaType.APPLICATION_JSON);
    }

    @PreDestroy
    void stop() {
        dispatcher.shutdown();
    }
}
