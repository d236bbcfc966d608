package io.paramlab.store;

import io.paramlab.nn.TensorData;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Datasets and jobs in the store (V2__jobs.sql). A dataset's two tensors are written by the state
 * tables' chunk code, as a model's are. Every method is one transaction, or joins the caller's: a
 * job's progress is written from inside its model's commit ({@link Change#alongside()}), so the two
 * are durable together.
 */
public final class JobStore {
    private static final String JOB = "SELECT id, model_id, status, request, dataset_id, validation_id, actor, epoch, step,"
            + " total_steps, loss, generator, created_at, started_at, finished_at, error FROM job";
    private static final String DATASET = "SELECT id, name, size, input_shape, target_shape, target_dtype, bytes, created_at"
            + " FROM dataset";

    public record DatasetRecord(String id, String name, long size, int[] inputShape, int[] targetShape, String targetDtype,
                                long bytes, Instant createdAt) {
    }

    /** A job as stored; progress fields are those of its last commit. */
    public record JobRecord(String id, String modelId, String status, String requestJson, String datasetId, String validationId,
                            String actor, int epoch, long step, long totalSteps, Double loss, byte[] generator,
                            Instant createdAt, Instant startedAt, Instant finishedAt, String errorJson) {
    }

    public record StepRow(long step, int epoch, Double loss, String lrJson) {
    }

    public record EpochRow(int epoch, Double meanLoss, Double valLoss, Double valAccuracy) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate writes;
    private final StateTables states;
    private final Clock clock;

    public JobStore(DataSource dataSource, StoreProperties properties, Clock clock) {
        this.jdbc = JdbcClient.create(dataSource);
        this.template = new JdbcTemplate(dataSource);
        this.writes = new TransactionTemplate(new JdbcTransactionManager(dataSource));
        this.states = new StateTables(jdbc, Dialect.of(dataSource), new TensorChunks(Math.toIntExact(properties.chunkSize().toBytes())));
        this.clock = clock;
    }

    // ---- datasets

    /** A dataset of its own: stores {@code input} and {@code target}. */
    public DatasetRecord createDataset(String name, TensorData input, TensorData target) {
        return writes.execute(tx -> insertDataset(UUID.randomUUID().toString(), name, input, target, null));
    }

    /** {@code jobId} marks a job's inline data (null for a dataset of its own); inside the caller's transaction. */
    private DatasetRecord insertDataset(String id, String name, TensorData input, TensorData target, String jobId) {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("input", input);
        tensors.put("target", target);
        long bytes = (long) input.numel() * TensorChunks.elementBytes(input) + (long) target.numel() * TensorChunks.elementBytes(target);
        DatasetRecord record = new DatasetRecord(id, name, input.shape()[0], input.shape(), target.shape(),
                target.dtype(), bytes, truncated(clock.instant()));
        StateTables.Written written = states.write(new ModelState(name, "{}", false, null, Map.of(), tensors, null));
        jdbc.sql("INSERT INTO dataset (id, name, size, input_shape, target_shape, target_dtype, bytes, created_at, state_id, job_id)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(record.id(), name, record.size(), shape(input.shape()), shape(target.shape()), target.dtype(), bytes,
                        micros(record.createdAt()), written.stateId(), jobId)
                .update();
        return record;
    }

    public List<DatasetRecord> listDatasets() {
        return jdbc.sql(DATASET + " WHERE job_id IS NULL ORDER BY created_at, id").query(this::dataset).list();
    }

    public Optional<DatasetRecord> findDataset(String id) {
        return jdbc.sql(DATASET + " WHERE id = ?").param(id).query(this::dataset).optional();
    }

    /** The tensors {@code input} and {@code target}. */
    public Optional<Map<String, TensorData>> loadDataset(String id) {
        return writes.execute(tx -> jdbc.sql("SELECT state_id FROM dataset WHERE id = ?").param(id).query(String.class).optional()
                .map(stateId -> states.read(stateId).stateDict()));
    }

    /** The jobs queued or running in the store that train or validate on the dataset. */
    public List<String> jobsUsingDataset(String id) {
        return jdbc.sql("SELECT id FROM job WHERE status IN ('queued', 'running') AND (dataset_id = ? OR validation_id = ?)")
                .params(id, id).query(String.class).list();
    }

    public boolean deleteDataset(String id) {
        List<String> digests = writes.execute(tx -> {
            List<String> stateIds = jdbc.sql("SELECT state_id FROM dataset WHERE id = ?").param(id).query(String.class).list();
            return stateIds.isEmpty() ? null : deleteDatasets(jdbc, states, stateIds);
        });
        if (digests == null) {
            return false;
        }
        sweep(digests);
        return true;
    }

    /** Deletes the datasets of these states with their tensor rows; answers the digests they referenced. */
    private static List<String> deleteDatasets(JdbcClient jdbc, StateTables states, List<String> stateIds) {
        List<String> digests = new ArrayList<>();
        for (String stateId : stateIds) {
            digests.addAll(states.digests(stateId));
            jdbc.sql("DELETE FROM dataset WHERE state_id = ?").param(stateId).update();
            states.delete(stateId);
        }
        return digests;
    }

    private void sweep(List<String> digests) {
        writes.executeWithoutResult(tx -> states.sweep(digests));
    }

    /** Inside {@link JdbcModelStore#delete}'s transaction: the model's jobs, their history and inline data; answers dropped digests. */
    static List<String> deleteJobsOfModel(JdbcClient jdbc, StateTables states, String modelId) {
        List<String> stateIds = jdbc.sql("SELECT d.state_id FROM dataset d JOIN job j ON j.id = d.job_id WHERE j.model_id = ?")
                .param(modelId).query(String.class).list();
        List<String> digests = deleteDatasets(jdbc, states, stateIds);
        String ofModel = " WHERE job_id IN (SELECT id FROM job WHERE model_id = ?)";
        jdbc.sql("DELETE FROM job_step" + ofModel).param(modelId).update();
        jdbc.sql("DELETE FROM job_epoch" + ofModel).param(modelId).update();
        jdbc.sql("DELETE FROM job WHERE model_id = ?").param(modelId).update();
        return digests;
    }

    // ---- jobs

    /** A job's inline data (or validation data), its dataset id chosen before the job's settings name it. */
    public record InlineDataset(String id, TensorData input, TensorData target) {
    }

    /**
     * The job with its inline data, in one transaction: all of it or nothing. The model's row is held first
     * (a delete of the model waits, then deletes the job with it), and a model gone already is a
     * {@link NoSuchModelException} before anything is written.
     */
    public void createJob(JobRecord job, List<InlineDataset> inline) {
        writes.executeWithoutResult(tx -> {
            // PostgreSQL: FOR KEY SHARE, the lock the job's foreign key takes, taken before anything is written
            if (jdbc.sql("SELECT id FROM model WHERE id = ?" + states.dialect().keepChunk).param(job.modelId()).query(String.class)
                    .optional().isEmpty()) {
                throw new NoSuchModelException(job.modelId());
            }
            inline.forEach(d -> insertDataset(d.id(), null, d.input(), d.target(), job.id()));
            long seq = jdbc.sql("SELECT COALESCE(MAX(seq), 0) + 1 FROM job").query(Long.class).single();
            jdbc.sql("INSERT INTO job (id, model_id, seq, status, request, dataset_id, validation_id, actor, epoch, step, total_steps,"
                            + " loss, generator, created_at, started_at, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(job.id(), job.modelId(), seq, job.status(), job.requestJson(), job.datasetId(), job.validationId(),
                            job.actor(), job.epoch(), job.step(), job.totalSteps(), job.loss(), job.generator(),
                            micros(job.createdAt()), micros(job.startedAt()), micros(job.finishedAt()), job.errorJson())
                    .update();
        });
    }

    /** Writes the job's status and progress; inside a model's commit when called from {@link Change#alongside()}. */
    public void updateJob(JobRecord job) {
        writes.executeWithoutResult(tx -> update(job));
    }

    private int update(JobRecord job) {
        return jdbc.sql("UPDATE job SET status = ?, epoch = ?, step = ?, total_steps = ?, loss = ?,"
                        + " generator = ?, started_at = ?, finished_at = ?, error = ? WHERE id = ?")
                .params(job.status(), job.epoch(), job.step(), job.totalSteps(), job.loss(), job.generator(),
                        micros(job.startedAt()), micros(job.finishedAt()), job.errorJson(), job.id())
                .update();
    }

    /**
     * An ended job's record with its history rows not stored yet, in one transaction (a failure's fallback when its
     * commit failed); false, writing nothing, when the job is gone (deleted with its model).
     */
    public boolean endJob(JobRecord job, List<StepRow> steps, List<EpochRow> epochs) {
        return Boolean.TRUE.equals(writes.execute(tx -> {
            if (update(job) == 0) {
                return false;
            }
            appendHistory(job.id(), steps, epochs);
            return true;
        }));
    }

    /** Sets the status alone, the progress staying as last committed (an interrupted job resumes from there). */
    public void setStatus(String id, String status) {
        writes.executeWithoutResult(tx -> jdbc.sql("UPDATE job SET status = ? WHERE id = ?").params(status, id).update());
    }

    /** At start: jobs that were running when the process ended are interrupted; answers how many. */
    public int interruptRunning() {
        Integer n = writes.execute(tx -> jdbc.sql("UPDATE job SET status = 'interrupted' WHERE status = 'running'").update());
        return n == null ? 0 : n;
    }

    /** Appends history rows (a job's steps and epochs since its last commit). */
    public void appendHistory(String jobId, List<StepRow> steps, List<EpochRow> epochs) {
        writes.executeWithoutResult(tx -> {
            template.batchUpdate("INSERT INTO job_step (job_id, step, epoch, loss, lr) VALUES (?, ?, ?, ?, ?)",
                    steps.stream().map(s -> new Object[] {jobId, s.step(), s.epoch(), s.loss(), s.lrJson()}).toList());
            template.batchUpdate("INSERT INTO job_epoch (job_id, epoch, mean_loss, val_loss, val_accuracy) VALUES (?, ?, ?, ?, ?)",
                    epochs.stream().map(e -> new Object[] {jobId, e.epoch(), e.meanLoss(), e.valLoss(), e.valAccuracy()}).toList());
        });
    }

    public List<StepRow> steps(String jobId) {
        return jdbc.sql("SELECT step, epoch, loss, lr FROM job_step WHERE job_id = ? ORDER BY step").param(jobId)
                .query((rs, n) -> new StepRow(rs.getLong(1), rs.getInt(2), nullableDouble(rs, 3), rs.getString(4))).list();
    }

    public List<EpochRow> epochs(String jobId) {
        return jdbc.sql("SELECT epoch, mean_loss, val_loss, val_accuracy FROM job_epoch WHERE job_id = ? ORDER BY epoch").param(jobId)
                .query((rs, n) -> new EpochRow(rs.getInt(1), nullableDouble(rs, 2), nullableDouble(rs, 3), nullableDouble(rs, 4))).list();
    }

    public Optional<JobRecord> findJob(String id) {
        return jdbc.sql(JOB + " WHERE id = ?").param(id).query(this::job).optional();
    }

    /** All jobs (or one model's, when {@code modelId} is not null), oldest first. */
    public List<JobRecord> listJobs(String modelId) {
        return modelId == null ? jdbc.sql(JOB + " ORDER BY seq").query(this::job).list()
                : jdbc.sql(JOB + " WHERE model_id = ? ORDER BY seq").param(modelId).query(this::job).list();
    }

    public List<JobRecord> jobsWithStatus(Set<String> statuses) {
        String in = statuses.stream().map(s -> "'" + s.replace("'", "") + "'").collect(Collectors.joining(", "));
        return jdbc.sql(JOB + " WHERE status IN (" + in + ") ORDER BY seq").query(this::job).list();
    }

    /** Jobs of {@code actor} queued or running in the store, on every instance: what its running-jobs quota counts. */
    public List<String> activeJobs(String actor) {
        return jdbc.sql("SELECT id FROM job WHERE actor = ? AND status IN ('queued', 'running')").param(actor).query(String.class).list();
    }

    public List<JobRecord> jobsOfModel(String modelId, Set<String> statuses) {
        return jobsWithStatus(statuses).stream().filter(r -> r.modelId().equals(modelId)).toList();
    }

    private JobRecord job(ResultSet rs, int row) throws SQLException {
        return new JobRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10), nullableDouble(rs, 11), rs.getBytes(12),
                instant(rs, 13), instant(rs, 14), instant(rs, 15), rs.getString(16));
    }

    private DatasetRecord dataset(ResultSet rs, int row) throws SQLException {
        return new DatasetRecord(rs.getString(1), rs.getString(2), rs.getLong(3), parseShape(rs.getString(4)),
                parseShape(rs.getString(5)), rs.getString(6), rs.getLong(7), instant(rs, 8));
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long micros = rs.getLong(column);
        return rs.wasNull() ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private static Long micros(Instant instant) {
        return instant == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** What the store keeps of an instant (microseconds), so an answer equals a later read. */
    public static Instant truncated(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static String shape(int[] shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static int[] parseShape(String text) {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
