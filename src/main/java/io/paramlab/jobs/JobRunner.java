package io.paramlab.jobs;

import io.paramlab.model.Access;
import io.paramlab.model.JobTraining;
import io.paramlab.model.JobTraining.Evaluation;
import io.paramlab.model.LiveModel;
import io.paramlab.model.Loss;
import io.paramlab.model.RequestContext;
import io.paramlab.nn.TensorData;
import io.paramlab.optim.DataLoaderOrder;
import io.paramlab.store.JobStore;
import io.paramlab.store.JobStore.EpochRow;
import io.paramlab.store.ModelStore;
import io.paramlab.store.TagTakenException;
import io.paramlab.tensor.Generator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One run of a job, on an executor thread: PyTorch's canonical loop (API.md "Jobs") with
 * {@link DataLoaderOrder}'s batches. The job holds its model for the run; each step is an in-memory
 * transaction; each epoch's end commits the model with the job's progress and the shuffling
 * generator as the next epoch starts from it. A resume starts at the stored epoch and step: the
 * generator restored to that epoch's start draws the same batches, and the steps already done are skipped.
 */
final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private final LiveJob job;
    private final LiveModel model;
    private final JobTraining training;
    private final JobStore store;
    private final ModelStore models;
    private final JobEvents events;
    private final BooleanSupplier shuttingDown;
    private long stepNanos;     // where a run's time goes, logged at its end (DEBUG): steps against commits
    private long commitNanos;

    JobRunner(LiveJob job, LiveModel model, JobTraining training, JobStore store, ModelStore models, JobEvents events,
              BooleanSupplier shuttingDown) {
        this.job = job;
        this.model = model;
        this.training = training;
        this.store = store;
        this.models = models;
        this.events = events;
        this.shuttingDown = shuttingDown;
    }

    /**
     * Runs to the end, a cancel, a failure or the service's shutdown; answers the final status. A cancel's record
     * is stored with its commit; a success's and an interruption's are the caller's to store.
     */
    String run(TensorData[] data, TensorData[] validation) {
        JobRequest.Settings s = job.settings;
        Loss loss = Loss.byName(s.loss()).orElseThrow();
        Generator generator = new Generator(s.seed());
        if (job.generator() != null) {
            generator.restore(job.generator());
        }
        DataLoaderOrder loader = new DataLoaderOrder(data[0].shape()[0], s.batchSize(), s.shuffle(), s.dropLast(), generator);
        int perEpoch = loader.batchesPerEpoch();
        job.start((long) s.epochs() * perEpoch, Instant.now());
        store.updateJob(job.record());
        events.status(job);
        for (int epoch = job.epoch(); epoch < s.epochs(); epoch++) {
            byte[] atEpochStart = generator.state();
            List<int[]> batches = loader.nextEpoch();
            for (int b = (int) (job.step() - (long) epoch * perEpoch); b < batches.size(); b++) {
                if (job.cancelRequested || shuttingDown.getAsBoolean()) {
                    job.setGenerator(atEpochStart);
                    return job.cancelRequested ? stop("cancelled", null) : "interrupted";
                }
                long t0 = System.nanoTime();
                JobTraining.StepResult result = training.step(model, rows(data[0], batches.get(b)), rows(data[1], batches.get(b)), loss,
                        s.schedulerStep().equals("step"));
                stepNanos += System.nanoTime() - t0;
                job.recordStep(epoch + 1, result.loss(), result.lr());
                events.step(job.id, job.step(), epoch + 1, Float.isNaN(result.loss()) ? null : (double) result.loss(), result.lr());
            }
            long t0 = System.nanoTime();
            endEpoch(epoch + 1, generator, validation, loss);
            commitNanos += System.nanoTime() - t0;
        }
        job.finish("succeeded", null, Instant.now());   // its record goes to the store with JobService's storeEnd
        log.debug("job {}: {} steps in {} ms (in-memory transactions), {} epoch commits in {} ms", job.id, job.step(),
                stepNanos / 1_000_000.0, s.epochs(), commitNanos / 1_000_000.0);
        return "succeeded";
    }

    private void endEpoch(int number, Generator generator, TensorData[] validation, Loss loss) {
        JobRequest.Settings s = job.settings;
        double mean = job.epochMean(number);
        int steps = job.stepsKept();
        Evaluation[] evaluation = new Evaluation[1];
        training.endEpoch(model, s.schedulerStep().equals("epoch"), validation == null ? null : validation[0],
                validation == null ? null : validation[1], loss,
                "job " + job.id + ": epoch " + number + " of " + s.epochs() + ", mean loss " + mean,
                e -> {
                    evaluation[0] = e;
                    EpochRow row = row(number, mean, e);
                    List<JobStore.StepRow> newSteps = job.unstoredSteps();
                    List<EpochRow> newEpochs = new java.util.ArrayList<>(job.unstoredEpochs());
                    newEpochs.add(row);
                    JobStore.JobRecord next = job.record();
                    store.updateJob(new JobStore.JobRecord(next.id(), next.modelId(), next.status(), next.requestJson(), next.datasetId(),
                            next.validationId(), next.actor(), number, next.step(), next.totalSteps(), next.loss(), generator.state(),
                            next.createdAt(), next.startedAt(), next.finishedAt(), next.errorJson()));
                    store.appendHistory(job.id, newSteps, newEpochs);
                });
        EpochRow row = row(number, mean, evaluation[0]);
        job.endEpoch(row, generator.state());
        job.markStored(steps, job.epochsKept());
        events.epoch(job.id, row);
        if (s.checkpointEvery() > 0 && number % s.checkpointEvery() == 0) {
            try {
                models.createCheckpoint(model.id(), "job-" + job.id + "-epoch-" + number, "after epoch " + number + " of job " + job.id);
            } catch (TagTakenException e) {
                log.info("job {}: checkpoint of epoch {} exists already", job.id, number);
            }
        }
    }

    private static EpochRow row(int number, double mean, Evaluation e) {
        return new EpochRow(number, Double.isNaN(mean) ? null : mean, e == null ? null : e.loss(), e == null ? null : e.accuracy());
    }

    /**
     * Ends the job as {@code status} (cancelled, failed), committing the model as the last completed step
     * left it, with the job's steps since the last commit, so that a resume continues from exactly there.
     */
    String stop(String status, Map<String, Object> problem) {
        job.finish(status, problem, Instant.now());
        List<JobStore.StepRow> newSteps = job.unstoredSteps();
        List<EpochRow> newEpochs = job.unstoredEpochs();
        Runnable record = () -> {
            store.updateJob(job.record());
            store.appendHistory(job.id, newSteps, newEpochs);
        };
        if (newSteps.isEmpty() && newEpochs.isEmpty()) {
            record.run();   // nothing moved since the last commit: no new version of the model
        } else {
            training.commit(model, "job." + (status.equals("cancelled") ? "cancel" : "fail"),
                    "job " + job.id + " " + status + " after step " + job.step(), record);
        }
        job.markStored(job.stepsKept(), job.epochsKept());
        return status;
    }

    /** {@code X[batch]}: the rows of a batch, copied in the batch's order. */
    static TensorData rows(TensorData all, int[] batch) {
        int[] shape = all.shape().clone();
        int row = all.numel() / shape[0];
        shape[0] = batch.length;
        if (all.isFloat()) {
            float[] out = new float[batch.length * row];
            for (int i = 0; i < batch.length; i++) System.arraycopy(all.floats(), batch[i] * row, out, i * row, row);
            return TensorData.ofFloats(out, shape);
        }
        long[] out = new long[batch.length * row];
        for (int i = 0; i < batch.length; i++) System.arraycopy(all.longs(), batch[i] * row, out, i * row, row);
        return TensorData.ofLongs(out, shape);
    }

    /** The job acts for its creator (history's actor), with the service's own access: the creator was checked at create. */
    static void setContext(String actor) {
        RequestContext.set(new RequestContext(actor == null ? RequestContext.ANONYMOUS : actor, Access.ADMIN, null));
    }
}
