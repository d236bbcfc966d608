package io.paramlab.jobs;

import io.paramlab.store.JobStore;
import io.paramlab.store.JobStore.EpochRow;
import io.paramlab.store.JobStore.JobRecord;
import io.paramlab.store.JobStore.StepRow;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A queued or running job in memory: its status, progress and whole history, ahead of the store by
 * the steps since its last commit. Rebuilt from the store when a job is queued again (resume, restart),
 * so memory never holds steps the model's stored state does not.
 */
final class LiveJob {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Number>> NUMBERS = new TypeReference<>() {
    };
    // one service-wide order of jobs' changes: a view taken at a later position is newer (a resumed job's too)
    private static final java.util.concurrent.atomic.AtomicLong CHANGES = new java.util.concurrent.atomic.AtomicLong();

    final String id;
    final String modelId;
    final String actor;
    final String requestJson;
    final JobRequest.Settings settings;
    final Instant createdAt;
    volatile boolean cancelRequested;
    private String status;   // as the store records it
    private String shown;    // while a terminal status is not reported yet: the status views still show, else null
    private int epoch;
    private long step;
    private long totalSteps;
    private Double loss;
    private byte[] generator;
    private Instant startedAt;
    private Instant finishedAt;
    private Map<String, Object> error;
    private final List<Double> stepLoss = new ArrayList<>();
    private final List<Integer> stepEpoch = new ArrayList<>();
    private final List<List<Number>> lr = new ArrayList<>();
    private final List<EpochRow> epochs = new ArrayList<>();
    private int storedSteps;
    private int storedEpochs;
    private long storedStep;     // the progress of the last commit, where an interrupted job stands
    private Double storedLoss;
    private long sequence = CHANGES.incrementAndGet();

    LiveJob(JobRecord record, List<StepRow> steps, List<EpochRow> epochRows) {
        this.id = record.id();
        this.modelId = record.modelId();
        this.actor = record.actor();
        this.requestJson = record.requestJson();
        this.settings = JSON.readValue(record.requestJson(), JobRequest.Settings.class);
        this.createdAt = record.createdAt();
        this.status = record.status();
        this.epoch = record.epoch();
        this.step = record.step();
        this.totalSteps = record.totalSteps();
        this.loss = record.loss();
        this.generator = record.generator();
        this.startedAt = record.startedAt();
        this.finishedAt = record.finishedAt();
        this.error = record.errorJson() == null ? null : JSON.readValue(record.errorJson(), new TypeReference<Map<String, Object>>() {
        });
        for (StepRow s : steps) {
            stepLoss.add(s.loss());
            stepEpoch.add(s.epoch());
            lr.add(JSON.readValue(s.lrJson(), NUMBERS));
        }
        epochs.addAll(epochRows);
        storedSteps = steps.size();
        storedEpochs = epochRows.size();
        storedStep = step;
        storedLoss = loss;
    }

    /** The job as clients see it: a terminal status only once {@link #report}ed, when the job has let go of its model. */
    synchronized JobView view() {
        return shown != null ? new JobView(id, modelId, shown, epoch, step, totalSteps, loss, createdAt, startedAt, null, null, settings)
                : new JobView(id, modelId, status, epoch, step, totalSteps, loss, createdAt, startedAt, finishedAt, error, settings);
    }

    /** The job as its next store write records it. */
    synchronized JobRecord record() {
        return new JobRecord(id, modelId, status, requestJson, settings.dataset(), settings.validation(), actor, epoch, step, totalSteps,
                loss, generator, createdAt, startedAt, finishedAt, error == null ? null : JSON.writeValueAsString(error));
    }

    /** Where the job's state stands in the order of changes: the status a view shows was current at this position. */
    synchronized long sequence() {
        return sequence;
    }

    /** The status as views show it (for messages to clients). */
    synchronized String status() {
        return shown != null ? shown : status;
    }

    synchronized long step() {
        return step;
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized byte[] generator() {
        return generator;
    }

    /** The executor picks the job up: false when it was cancelled first. */
    synchronized boolean claim() {
        sequence = CHANGES.incrementAndGet();
        if (cancelRequested || !status.equals("queued")) {
            return false;
        }
        status = "running";
        return true;
    }

    /** Asks the job to stop after its step in progress; answers true when it had not started (it is cancelled now). */
    synchronized boolean cancel() {
        cancelRequested = true;
        if (status.equals("queued")) {
            finish("cancelled", null, Instant.now());
            return true;
        }
        return false;
    }

    synchronized void start(long total, Instant now) {
        sequence = CHANGES.incrementAndGet();
        status = "running";
        totalSteps = total;
        startedAt = startedAt == null ? JobStore.truncated(now) : startedAt;
        finishedAt = null;
        error = null;
    }

    synchronized void recordStep(int epochNumber, float value, List<Number> lrs) {
        sequence = CHANGES.incrementAndGet();
        step++;
        loss = (double) value;
        stepLoss.add(Float.isNaN(value) ? null : (double) value);
        stepEpoch.add(epochNumber);
        lr.add(lrs);
    }

    /** The mean of the epoch's step losses (those before a cancel and a resume included), as PyTorch users compute it. */
    synchronized double epochMean(int epochNumber) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < stepLoss.size(); i++) {
            if (stepEpoch.get(i) == epochNumber) {
                sum += stepLoss.get(i) == null ? Double.NaN : stepLoss.get(i);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** An epoch's end, with the generator as the next epoch will start from. */
    synchronized void endEpoch(EpochRow row, byte[] generatorAtNextEpoch) {
        sequence = CHANGES.incrementAndGet();
        epochs.add(row);
        epoch = row.epoch();
        generator = generatorAtNextEpoch;
    }

    /**
     * Where a stop leaves the job: the generator stays at the start of the epoch in progress. The
     * terminal status goes to the store's record at once, and to views only when {@link #report}ed.
     */
    synchronized void finish(String finalStatus, Map<String, Object> problem, Instant now) {
        sequence = CHANGES.incrementAndGet();
        shown = shown != null ? shown : status;
        status = finalStatus;
        error = problem;
        finishedAt = JobStore.truncated(now);   // as the store keeps it, so a later read answers the same
    }

    /**
     * Stopped by the service's stop: the model keeps its last committed epoch, and so does the job (a resume does
     * the steps since again), as the store will record it; no end time, as a job interrupted by a crash.
     */
    synchronized void interrupt() {
        sequence = CHANGES.incrementAndGet();
        shown = shown != null ? shown : status;
        status = "interrupted";
        error = null;
        step = storedStep;
        loss = storedLoss;
        stepLoss.subList(storedSteps, stepLoss.size()).clear();
        stepEpoch.subList(storedSteps, stepEpoch.size()).clear();
        lr.subList(storedSteps, lr.size()).clear();
        epochs.subList(storedEpochs, epochs.size()).clear();
    }

    /** The job's terminal status, stored and its model let go of, is what views show from now on. */
    synchronized void report() {
        sequence = CHANGES.incrementAndGet();
        shown = null;
    }

    synchronized void setGenerator(byte[] atEpochStart) {
        generator = atEpochStart;
    }

    /** The history rows the store does not have yet. */
    synchronized List<StepRow> unstoredSteps() {
        List<StepRow> rows = new ArrayList<>();
        for (int i = storedSteps; i < stepLoss.size(); i++) {
            rows.add(new StepRow(i + 1, stepEpoch.get(i), stepLoss.get(i), JSON.writeValueAsString(lr.get(i))));
        }
        return rows;
    }

    synchronized List<EpochRow> unstoredEpochs() {
        return new ArrayList<>(epochs.subList(storedEpochs, epochs.size()));
    }

    /** After a commit wrote the unstored rows. */
    synchronized void markStored(int steps, int epochRows) {
        storedSteps = steps;
        storedEpochs = epochRows;
        storedStep = step;
        storedLoss = loss;
    }

    synchronized int stepsKept() {
        return stepLoss.size();
    }

    synchronized int epochsKept() {
        return epochs.size();
    }

    /** The view and the whole history, read at one moment, the {@link #sequence} of that moment. */
    record Snapshot(JobView view, List<Double> stepLoss, List<Integer> stepEpoch, List<List<Number>> lr, List<EpochRow> epochs,
                    long sequence) {
        JobView.History history() {
            return new JobView.History(stepLoss, epochs.stream().map(EpochRow::meanLoss).toList(), lr,
                    epochs.stream().map(EpochRow::valLoss).filter(v -> v != null).toList(),
                    epochs.stream().filter(e -> e.valLoss() != null).map(EpochRow::valAccuracy).toList());
        }
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(view(), nullable(stepLoss), nullable(stepEpoch), nullable(lr), nullable(epochs), sequence);
    }

    private static <T> List<T> nullable(List<T> list) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(list));
    }
}
