package io.paramlab.jobs;

import io.paramlab.model.ConflictException;
import io.paramlab.model.JobTraining;
import io.paramlab.model.LiveModel;
import io.paramlab.model.Loss;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.NotFoundException;
import io.paramlab.model.ParamlabQuotas;
import io.paramlab.model.RequestContext;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.JobStore;
import io.paramlab.store.JobStore.JobRecord;
import io.paramlab.store.LeaseLostException;
import io.paramlab.store.ModelStore;
import io.paramlab.store.NoSuchModelException;
import io.paramlab.store.StoreShutdown;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jobs: created queued, run by a bounded executor ({@code paramlab.jobs.concurrency} at once, the rest
 * wait in order), stored so that the queue survives a restart (running ones become interrupted),
 * cancelled after the step in progress, resumed from their last commit.
 */
@Service
public class JobService {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final Set<String> RESUMABLE = Set.of("interrupted", "cancelled");
    private final Map<String, LiveJob> live = new ConcurrentHashMap<>();   // queued and running in this process
    // ended here, the store not having taken the end yet (it refused the write): shown as ended, written again later
    private final UnstoredEnds unstored;
    private final Object endWrites = new Object();   // one writer of an unstored end at a time (retry, stop, resume)
    private final Duration storeRetry;
    private final StoreShutdown storeShutdown;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "paramlab-job-store-retry");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private final ModelRegistry registry;
    private final DatasetService datasets;
    private final JobStore store;
    private final ModelStore models;
    private final JobTraining training;
    private final JobEvents events;
    private final ExecutorService executor;
    private final ParamlabQuotas quotas;
    private volatile boolean shuttingDown;

    JobService(ModelRegistry registry, DatasetService datasets, JobStore store, ModelStore models, JobTraining training,
               JobEvents events, ParamlabQuotas quotas, UnstoredEnds unstored, StoreShutdown storeShutdown,
               @Value("${paramlab.jobs.concurrency:1}") int concurrency,
               @Value("${paramlab.jobs.store-retry-interval:1s}") Duration storeRetry) {
        if (storeRetry.isNegative() || storeRetry.isZero()) {
            throw new IllegalArgumentException("paramlab.jobs.store-retry-interval must be positive, not " + storeRetry);
        }
        this.storeRetry = storeRetry;
        this.unstored = unstored;
        this.storeShutdown = storeShutdown;
        this.quotas = quotas;
        this.registry = registry;
        this.datasets = datasets;
        this.store = store;
        this.models = models;
        this.training = training;
        this.events = events;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> new Thread(runnable, "paramlab-job-" + threads.incrementAndGet()));
    }

    public JobView create(String modelId, JobRequest request) {
        LiveModel model = registry.forChange(modelId);   // the job will change it on the caller's behalf
        check(request);
        long size = request.data() != null ? checked("data", request.data()) : datasets.get(request.dataset()).size();
        if (request.validation() != null && request.validation().data() != null) {
            checked("validation.data", request.validation().data());
        } else if (request.validation() != null) {
            datasets.get(request.validation().dataset());
        }
        dryRun(model, request);
        int batch = request.batchSize();
        long perEpoch = Boolean.TRUE.equals(request.dropLast()) ? size / batch : (size + batch - 1) / batch;
        if (perEpoch == 0) {
            throw new InvalidInputException("batch_size", "with drop_last, batch_size " + batch + " over " + size + " samples gives no batch");
        }
        String jobId = UUID.randomUUID().toString();
        synchronized (this) {   // one job per model: the check and the insert together
            requireNoActiveJob(modelId);
            String actor = RequestContext.current().actor();
            quotas.checkJobStart(actor, countActive(actor));
            Map<String, Object> optimizer = model.read(() -> {
                if (model.optimizer() == null) {
                    throw new ConflictException("no-optimizer", "model " + modelId + " has no optimizer; PUT /models/" + modelId
                            + "/optimizer sets one");
                }
                return model.optimizer().spec();
            });
            model.checkNotHeld();
            List<JobStore.InlineDataset> inline = new ArrayList<>();   // stored with the job, in its transaction
            String datasetId = dataset(request.dataset(), request.data(), inline);
            String validationId = request.validation() == null ? null
                    : dataset(request.validation().dataset(), request.validation().data(), inline);
            JobRequest.Settings settings = request.settled(datasetId, validationId, optimizer);
            JobRecord record = new JobRecord(jobId, modelId, "queued", LiveJob.JSON.writeValueAsString(settings), datasetId, validationId,
                    RequestContext.current().actor(), 0, 0, perEpoch * settings.epochs(), null, null,
                    JobStore.truncated(Instant.now()), null, null, null);
            try {
                store.createJob(record, inline);
            } catch (NoSuchModelException e) {   // deleted since forChange: the answer given when the model was gone before
                throw new NotFoundException("model", "no model with id \"" + modelId + "\"");
            }
            return enqueue(new LiveJob(record, List.of(), List.of()));
        }
    }

    /** One sample of the data (and of the validation set) through the model and the loss, before anything is queued. */
    private void dryRun(LiveModel model, JobRequest request) {
        Loss loss = Loss.byName(request.loss()).orElseThrow();
        TensorData[] data = request.data() != null ? new TensorData[] {request.data().input(), request.data().target()}
                : datasets.load(request.dataset());
        String field = request.data() != null ? "data" : "dataset";
        training.dryRun(model, field, JobRunner.rows(data[0], new int[] {0}), JobRunner.rows(data[1], new int[] {0}), loss);
        if (request.validation() != null) {
            TensorData[] v = request.validation().data() != null
                    ? new TensorData[] {request.validation().data().input(), request.validation().data().target()}
                    : datasets.load(request.validation().dataset());
            training.dryRun(model, "validation", JobRunner.rows(v[0], new int[] {0}), JobRunner.rows(v[1], new int[] {0}), loss);
        }
    }

    /** Inline data checked before anything is stored; answers its size. */
    private long checked(String field, JobRequest.Data data) {
        datasets.check(field, data.input(), data.target());
        return data.input().shape()[0];
    }

    private void check(JobRequest r) {
        if ((r.dataset() == null) == (r.data() == null)) {
            throw new InvalidInputException("dataset", "give either \"dataset\" (an id) or \"data\" ({\"input\", \"target\"})");
        }
        if (r.data() != null && (r.data().input() == null || r.data().target() == null)) {
            throw new InvalidInputException("data", "needs \"input\" and \"target\" tensors");
        }
        Loss.byName(r.loss() == null ? "" : r.loss()).orElseThrow(() -> new InvalidInputException("loss",
                "unknown loss \"" + r.loss() + "\"; known: " + Loss.names()));
        if (r.epochs() == null || r.epochs() < 1) {
            throw new InvalidInputException("epochs", "must be a positive integer, got " + r.epochs());
        }
        if (r.batchSize() == null || r.batchSize() < 1) {
            throw new InvalidInputException("batch_size", "batch_size should be a positive integer value, but got batch_size="
                    + r.batchSize());
        }
        if (r.schedulerStep() != null && !Set.of("step", "epoch", "none").contains(r.schedulerStep())) {
            throw new InvalidInputException("scheduler_step", "must be step, epoch or none, got \"" + r.schedulerStep() + "\"");
        }
        if (r.checkpointEvery() != null && r.checkpointEvery() < 0) {
            throw new InvalidInputException("checkpoint_every", "must be 0 (none) or a number of epochs, got " + r.checkpointEvery());
        }
        if (r.validation() != null && (r.validation().dataset() == null) == (r.validation().data() == null)) {
            throw new InvalidInputException("validation", "give either \"dataset\" or \"data\"");
        }
    }

    /** A stored dataset's id, or the id the inline data (checked already) is stored under with the job. */
    private String dataset(String id, JobRequest.Data data, List<JobStore.InlineDataset> inline) {
        if (id != null) {
            return datasets.get(id).id();
        }
        JobStore.InlineDataset stored = new JobStore.InlineDataset(UUID.randomUUID().toString(), data.input(), data.target());
        inline.add(stored);
        return stored.id();
    }

    private void requireNoActiveJob(String modelId) {
        for (LiveJob job : live.values()) {
            if (job.modelId.equals(modelId)) {
                throw new ConflictException("job-exists", "model " + modelId + " already has job " + job.id + " (" + job.status()
                        + "); one job per model runs or waits at a time");
            }
        }
    }

    private JobView enqueue(LiveJob job) {
        live.put(job.id, job);
        executor.execute(() -> run(job));
        return job.view();
    }

    private void run(LiveJob job) {
        if (live.get(job.id) != job || !job.claim()) {
            return;   // cancelled while queued
        }
        JobRunner.setContext(job.actor);
        LiveModel model = null;
        JobRunner runner = null;
        String status;
        try {
            model = registry.get(job.modelId);
            model.hold(job.id);
            runner = new JobRunner(job, model, training, store, models, events, () -> shuttingDown);
            TensorData[] data = datasets.load(job.settings.dataset());
            TensorData[] validation = job.settings.validation() == null ? null : datasets.load(job.settings.validation());
            status = runner.run(data, validation);
            if (status.equals("succeeded")) {
                storeEnd(job);   // the training's outcome, whether the store takes it now or later
            } else if (status.equals("interrupted")) {
                job.interrupt();
                unstored.put(job);   // the stop's last write stores it, bounded by paramlab.store.shutdown-timeout
            }
        } catch (LeaseLostException e) {
            // another instance took the model over while this one was cut off: the job's record is that instance's now
            log.warn("job {} stopped: {}", job.id, e.getMessage());
            status = "interrupted";
        } catch (RuntimeException | Error e) {
            log.info("job {} failed: {}", job.id, e.toString());
            status = fail(job, runner, e);
        } finally {
            // the terminal status is stored already; it is reported only now that nothing of the job holds the model:
            // a client that sees it may delete the model or start another job at once
            if (model != null) {
                model.release(job.id);
            }
            live.remove(job.id);
            job.report();
            RequestContext.clear();
            events.status(job);   // the stream's last status, whatever ended the job
        }
        log.debug("job {} {}", job.id, status);
    }

    private String fail(LiveJob job, JobRunner runner, Throwable e) {
        Map<String, Object> problem = new LinkedHashMap<>();
        boolean conflict = e instanceof ConflictException;
        problem.put("type", "urn:paramlab:problem:" + (conflict ? ((ConflictException) e).slug() : "job-failed"));
        problem.put("title", conflict ? "Conflict" : "Job failed");
        problem.put("status", conflict ? 409 : 422);
        // a store failure names its cause, not the statement (which is no business of the client's)
        problem.put("detail", e instanceof DataAccessException d ? "the store failed: " + d.getMostSpecificCause().getMessage()
                : String.valueOf(e.getMessage()));
        try {
            if (runner != null && !conflict) {
                return runner.stop("failed", problem);
            }
        } catch (RuntimeException | Error again) {
            log.warn("job {}: its model could not be committed after the failure: {}", job.id, again.toString());
        }
        job.finish("failed", problem, Instant.now());
        storeEnd(job);
        return "failed";
    }

    /** Of {@code actor}'s jobs the store has queued or running, those that did not end here. */
    private long countActive(String actor) {
        return unstored.active(store.activeJobs(actor)).size();
    }

    /**
     * The ended job's record to the store. When the store refuses it (read-only, gone for a moment), the job
     * ends all the same here, shown as ended from memory, and its record is written again every
     * {@code paramlab.jobs.store-retry-interval} until the store takes it; at the latest the next start's
     * {@link #recoverAll} marks it interrupted.
     */
    private void storeEnd(LiveJob job) {
        try {
            writeEnd(job);
        } catch (RuntimeException e) {
            log.warn("job {} {}: the store refused its end ({}); written again every {} until it takes it", job.id,
                    job.record().status(), e.toString(), storeRetry);
            unstored.put(job);
            scheduleRetry();
        }
    }

    /** The record and the steps since the last commit (none when the failure's commit stored them); a job gone with its model has nothing to write. */
    private boolean writeEnd(LiveJob job) {
        boolean stored = store.endJob(job.record(), job.unstoredSteps(), job.unstoredEpochs());
        job.markStored(job.stepsKept(), job.epochsKept());
        return stored;
    }

    private void scheduleRetry() {
        if (retryScheduled.compareAndSet(false, true)) {
            try {
                retries.schedule(this::retryUnstored, storeRetry.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                retryScheduled.set(false);   // shutting down: the next start's recovery marks the jobs
            }
        }
    }

    private void retryUnstored() {
        retryScheduled.set(false);
        writeUnstored();
        if (!unstored.isEmpty() && !stopped.get()) {
            scheduleRetry();
        }
    }

    /** One try at each end the store has not taken; stops early when its thread is interrupted (the stop gave it up). */
    private void writeUnstored() {
        synchronized (endWrites) {
            for (LiveJob job : unstored.all()) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                try {
                    boolean stored = writeEnd(job);
                    unstored.stored(job);
                    log.info("job {}: its end ({}) {}", job.id, job.record().status(),
                            stored ? "is stored now" : "is dropped: the job was deleted with its model");
                } catch (RuntimeException e) {
                    log.debug("job {}: the store still refuses its end: {}", job.id, e.toString());
                }
            }
        }
    }

    /** The job in this process's memory: queued, running, or ended with its end not stored yet. */
    private LiveJob inMemory(String id) {
        LiveJob job = live.get(id);
        return job != null ? job : unstored.get(id);
    }

    public JobView get(String id) {
        LiveJob job = inMemory(id);
        return job != null ? job.view() : stored(id).view();
    }

    /** Every job (or one model's), oldest first; those in memory as they are now. */
    public List<JobView> list(String modelId) {
        if (modelId != null) {
            registry.get(modelId);
        }
        return store.listJobs(modelId).stream().map(r -> {
            LiveJob job = inMemory(r.id());
            return job != null ? job.view() : new LiveJob(r, List.of(), List.of()).view();
        }).toList();
    }

    public JobView.History history(String id) {
        LiveJob job = inMemory(id);
        return (job != null ? job : storedWithHistory(id)).snapshot().history();
    }

    public JobView cancel(String id) {
        checkChange(get(id));
        LiveJob job = live.get(id);
        if (job == null) {
            JobView view = get(id);
            throw new ConflictException("job-finished", "job " + id + " is " + view.status() + "; only a queued or running job can be cancelled");
        }
        if (job.cancel()) {   // it never started: nothing to commit
            storeEnd(job);
            live.remove(id);
            job.report();
            events.status(job);
        }
        return job.view();
    }

    public JobView resume(String id) {
        synchronized (this) {
            LiveJob ended = unstored.get(id);
            if (ended != null) {   // its end first (the store's refusal is the answer if it still refuses), then its row is current
                synchronized (endWrites) {
                    if (unstored.get(id) == ended) {
                        writeEnd(ended);
                        unstored.stored(ended);
                    }
                }
            }
            JobRecord record = store.findJob(id).orElseThrow(() -> notFound(id));
            checkChange(get(id));
            LiveJob running = inMemory(id);
            if (running != null || !RESUMABLE.contains(record.status())) {
                throw new ConflictException("job-not-resumable", "job " + id + " is " + (running != null ? running.status()
                        : record.status()) + "; only an interrupted or cancelled job can be resumed");
            }
            requireNoActiveJob(record.modelId());
            quotas.checkJobStart(record.actor(), countActive(record.actor()));
            store.setStatus(id, "queued");
            LiveJob job = new LiveJob(new JobRecord(record.id(), record.modelId(), "queued", record.requestJson(), record.datasetId(),
                    record.validationId(), record.actor(), record.epoch(), record.step(), record.totalSteps(),
                    record.loss(), record.generator(), record.createdAt(), record.startedAt(), null, null),
                    store.steps(id), store.epochs(id));
            return enqueue(job);
        }
    }

    /** Streams the job's events into {@code emitter} (404 first when there is no such job). */
    public void events(String id, SseEmitter emitter, Long lastEventId) {
        get(id);
        events.subscribe(id, emitter, lastEventId, () -> {
            LiveJob job = inMemory(id);
            return (job != null ? job : storedWithHistory(id)).snapshot();
        });
    }

    /** Cancelling or resuming a job changes its model: the caller must be allowed to. */
    private void checkChange(JobView job) {
        registry.forChange(job.modelId());
    }

    private LiveJob stored(String id) {
        return new LiveJob(store.findJob(id).orElseThrow(() -> notFound(id)), List.of(), List.of());
    }

    private LiveJob storedWithHistory(String id) {
        return new LiveJob(store.findJob(id).orElseThrow(() -> notFound(id)), store.steps(id), store.epochs(id));
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException("job", "no job with id \"" + id + "\"");
    }

    /**
     * At the start of the one instance of an embedded store: running jobs of the last process are
     * interrupted, queued ones queue again in their order.
     */
    public void recoverAll() {
        int interrupted = store.interruptRunning();
        List<JobRecord> queued = store.jobsWithStatus(Set.of("queued"));
        queued.forEach(r -> enqueue(new LiveJob(r, store.steps(r.id()), store.epochs(r.id()))));
        if (interrupted + queued.size() > 0) {
            log.info("jobs: {} interrupted by the last shutdown, {} queued again", interrupted, queued.size());
        }
    }

    /**
     * This instance has just taken {@code modelId} over from one that died or stopped: the model's
     * running job (not running here) was interrupted with its instance, its queued ones queue here.
     */
    public void adopt(String modelId) {
        synchronized (this) {
            for (JobRecord r : store.jobsOfModel(modelId, Set.of("queued", "running"))) {
                if (live.containsKey(r.id()) || unstored.get(r.id()) != null) {
                    continue;   // running here, or ended here with its end still to be stored
                }
                if (r.status().equals("running")) {
                    store.setStatus(r.id(), "interrupted");
                    log.info("job {} of model {} interrupted: the instance running it is gone", r.id(), modelId);
                } else {
                    enqueue(new LiveJob(r, store.steps(r.id()), store.epochs(r.id())));
                }
            }
        }
    }

    /**
     * Running jobs stop after their step in progress, as interrupted: the model keeps its last committed epoch.
     * Then the ends the store has not taken are written, again and again, until the store takes them or
     * {@link StoreShutdown}'s bound passes; what is left, the next start's recovery (or, on PostgreSQL, the
     * instance that takes the model over) marks interrupted. Called by {@code Instances}' stop, then by the
     * container: the second call does nothing.
     */
    @PreDestroy
    public void shutdown() throws InterruptedException {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        shuttingDown = true;
        ((ThreadPoolExecutor) executor).getQueue().clear();   // queued runs never start here; they stay queued in the store
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        retries.shutdownNow();
        if (!unstored.isEmpty()) {
            storeShutdown.run("job-ends", this::writeUnstoredUntilTaken,
                    () -> "the ends of jobs " + unstored + " (the next start marks them interrupted)");
        }
    }

    private void writeUnstoredUntilTaken() {
        long pause = Math.max(1, Math.min(storeRetry.toMillis(), 100));   // the stop has seconds, not the retry interval
        long until = System.nanoTime() + storeShutdown.timeout().toNanos();   // in case a driver swallows the interrupt
        while (true) {
            writeUnstored();
            if (unstored.isEmpty() || System.nanoTime() - until > 0) {
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;   // given up by the stop
            }
        }
    }
}
