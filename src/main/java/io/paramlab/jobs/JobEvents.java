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
 */
@Component
public class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "paramlab-job-events");
        thread.setDaemon(true);
        return thread;
    });
    // touched by the dispatcher thread only, but read (containsKey) by job threads to skip work when nobody listens
    private final Map<String, List<Subscriber>> streams = new ConcurrentHashMap<>();

    /** A client, with how far its replay went: live events up to there are not sent again. */
    private static final class Subscriber {
        final SseEmitter emitter;
        final long replayedSteps;
        final int replayedEpochs;

        Subscriber(SseEmitter emitter, long replayedSteps, int replayedEpochs) {
            this.emitter = emitter;
            this.replayedSteps = replayedSteps;
            this.replayedEpochs = replayedEpochs;
        }
    }

    /** Streams the job to {@code emitter}: status first, the steps after {@code lastEventId} (null: none), then live. */
    void subscribe(String jobId, SseEmitter emitter, Long lastEventId, java.util.function.Supplier<LiveJob.Snapshot> snapshot) {
        dispatcher.execute(() -> {
            LiveJob.Snapshot s = snapshot.get();
            try {
                emitter.send(statusEvent(s.view()));
                if (lastEventId != null) {
                    replay(emitter, s, lastEventId);
                }
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
                return;
            }
            if (s.view().finished()) {
                emitter.complete();
                return;
            }
            Subscriber subscriber = new Subscriber(emitter, s.stepLoss().size(), s.epochs().size());
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

    void step(String jobId, long step, int epoch, Double loss, List<Number> lr) {
        if (streams.containsKey(jobId)) {
            publish(jobId, subscriber -> step > subscriber.replayedSteps ? step(step, epoch, loss, lr) : null, false);
        }
    }

    void epoch(String jobId, EpochRow row) {
        if (streams.containsKey(jobId)) {
            publish(jobId, subscriber -> row.epoch() > subscriber.replayedEpochs ? epoch(row) : null, false);
        }
    }

    /** The job's status; when it has finished, every stream of it ends. */
    void status(JobView job) {
        publish(job.id(), subscriber -> statusEvent(job), job.finished());
    }

    private void publish(String jobId, java.util.function.Function<Subscriber, SseEmitter.SseEventBuilder> event, boolean last) {
        dispatcher.execute(() -> {
            List<Subscriber> subscribers = last ? streams.remove(jobId) : streams.get(jobId);
            if (subscribers == null) {
                return;
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
                    subscribers.remove(subscriber);
                    subscriber.emitter.completeWithError(e);
                }
            }
        });
    }

    private void remove(String jobId, Subscriber subscriber) {
        List<Subscriber> subscribers = streams.get(jobId);
        if (subscribers != null) {
            subscribers.remove(subscriber);
            if (subscribers.isEmpty()) {
                streams.remove(jobId);
            }
        }
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
