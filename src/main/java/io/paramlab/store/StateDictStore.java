package io.paramlab.store;

import io.paramlab.formats.RawTensors;
import io.paramlab.formats.StoredDtype;
import io.paramlab.tensor.Deadline;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * State dicts without a model (API.md, "State dicts without a model"): each is a {@code state}
 * row whose tensors are {@code state_tensor} rows in file order (a tie's {@code storage_of} is the
 * position whose bytes it shares) with their bytes, in their own dtype, as the same
 * content-addressed chunks models use; so identical tensors are stored once, a model's state dict
 * is kept by copying chunk references, and the sweeps reclaim what a delete dropped. An upload
 * streams chunk by chunk, each in a short transaction, and becomes a state dict in one more: a
 * failed one leaves nothing, and no connection is held while a slow client sends.
 */
public final class StateDictStore {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StateDictStore.class);
    private static final String SUMMARY = "SELECT id, name, owner, version, created_at, updated_at, source, tensor_count,"
            + " parameter_count, bytes, header IS NOT NULL FROM state_dict";
    /** The name of a staged upload's state until it becomes a state dict, followed by its start in microseconds. */
    static final String UPLOADING = "uploading:";

    private final JdbcClient jdbc;
    private final TransactionTemplate writes;
    private final TransactionTemplate reads;
    private final StateTables states;
    private final int chunkBytes;
    private final Clock clock;

    public StateDictStore(DataSource dataSource, StoreProperties properties, Clock clock) {
        Dialect dialect = Dialect.of(dataSource);
        JdbcTransactionManager transactions = new JdbcTransactionManager(dataSource);
        this.jdbc = JdbcClient.create(dataSource);
        this.writes = new TransactionTemplate(transactions);
        this.reads = new TransactionTemplate(transactions);
        this.reads.setIsolationLevel(dialect.readIsolation);
        this.reads.setReadOnly(true);
        this.chunkBytes = Math.toIntExact(properties.chunkSize().toBytes());
        this.states = new StateTables(jdbc, dialect, new TensorChunks(chunkBytes));
        this.clock = clock;
    }

    /** A stored state dict as the list and the summary show it. */
    public record Summary(String id, String name, String owner, long version, Instant createdAt, Instant updatedAt, String source,
                          int tensorCount, long parameterCount, long bytes, boolean uploadedAsSafetensors) {
    }

    /** What a read of tensors needs: the state holding them, their layout, the uploaded safetensors header or null. */
    public record Contents(String stateId, List<RawTensors.Tensor> tensors, byte[] safetensorsHeader) {
    }

    /** Reads an upload into the sink it is given; answers what the reader found. */
    public interface Upload {
        RawTensors.Read read(RawTensors.Sink sink) throws IOException;

        /**
         * Reserves {@code bytes} of a chunk buffer for the upload's pipeline before it is allocated, until the
         * upload ends: true if granted. The first buffer's is {@code needed}: refused, it throws; a later one's
         * refusal answers false, and the upload goes on with the buffers it has.
         */
        default boolean reserveBuffer(long bytes, boolean needed) throws IOException {
            return true;
        }
    }

    /**
     * Stores an upload without holding a connection while it streams: the state's rows first, then each
     * chunk as it arrives in a short transaction of its own (a chunk already stored is referenced, not
     * written again; the reference keeps the sweeps off it), then one short transaction that makes it a
     * state dict at version 1 with its history; {@code quota} sees the parameter count there and may
     * throw, and {@code alongside} runs there too (an idempotency key's answer). A failed upload's rows
     * and unreferenced chunks are deleted; one cut off by a crash is found by {@link #discardAbandonedUploads}.
     */
    public Summary upload(String id, String owner, String name, Change change, LongConsumer quota, Upload upload,
                          BiConsumer<Summary, List<RawTensors.Tensor>> alongside) {
        long started = now();
        String stateId = writes.execute(tx -> newState(UPLOADING + started));
        Summary summary;
        try {
            RawTensors.Read read;
            Writer writer = new Writer(stateId, upload);
            try (writer) {
                read = upload.read(writer);
                writer.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (RawTensors.Tensor t : read.tensors()) {
                if (t.tiedTo() == null && !writer.written.contains(t.position())) {
                    throw new IllegalStateException("tensor '" + t.key() + "' was never written");
                }
            }
            summary = writes.execute(tx -> {
                Summary inserted = insert(id, owner, name, change, stateId, "upload", read.tensors(), read.safetensorsHeader(), quota);
                alongside.accept(inserted, read.tensors());
                return inserted;
            });
        } catch (RuntimeException | Error e) {
            try {
                discard(stateId);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        return summary;
    }

    /** Deletes a staged upload's rows and the chunks nothing else references. */
    private void discard(String stateId) {
        writes.executeWithoutResult(tx -> {
            Set<String> digests = states.digests(stateId);
            states.delete(stateId);
            states.sweep(digests);
        });
    }

    /**
     * Deletes the uploads staged before {@code olderThan} ago that never became a state dict: their request
     * ended with the process (a crash), as no upload runs longer than max-transfer-time. Answers how many.
     */
    public int discardAbandonedUploads(java.time.Duration olderThan) {
        long before = now() - olderThan.toNanos() / 1000;
        record Staged(String stateId, String name) {
        }
        List<Staged> staged = jdbc.sql("SELECT id, name FROM state WHERE name LIKE ? AND NOT EXISTS"
                        + " (SELECT 1 FROM state_dict d WHERE d.state_id = state.id)")
                .param(UPLOADING + "%").query((rs, n) -> new Staged(rs.getString(1), rs.getString(2))).list();
        int discarded = 0;
        for (Staged s : staged) {
            long started;
            try {
                started = Long.parseLong(s.name().substring(UPLOADING.length()));
            } catch (NumberFormatException e) {
                continue;
            }
            if (started < before) {
                discard(s.stateId());
                discarded++;
            }
        }
        return discarded;
    }

    /** Keeps {@code ref}'s tensors ({@code model:{id}} or {@code model:{id}@{checkpoint}}) as a state dict: rows copied, no bytes. */
    public Optional<Summary> copyOf(String id, String owner, String name, Change change, String ref, LongConsumer quota) {
        return Optional.ofNullable(writes.execute(tx -> {
            Optional<String> source = modelStateId(ref);
            if (source.isEmpty()) {
                return null;
            }
            String stateId = states.copy(source.get());
            return insert(id, owner, name, change, stateId, ref, tensors(stateId), null, quota);
        }));
    }

    private Summary insert(String id, String owner, String name, Change change, String stateId, String source,
                           List<RawTensors.Tensor> tensors, byte[] header, LongConsumer quota) {
        long parameters = 0;
        long bytes = 0;
        for (RawTensors.Tensor t : tensors) {
            if (t.tiedTo() == null) {
                parameters += t.numel();
                bytes += t.byteSize();
            }
        }
        quota.accept(parameters);
        long now = now();
        jdbc.sql("UPDATE state SET name = ?, parameter_count = ? WHERE id = ?").params(name, parameters, stateId).update();
        jdbc.sql("INSERT INTO state_dict (id, owner, name, version, created_at, updated_at, state_id, source, header, tensor_count,"
                        + " parameter_count, bytes) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, owner, name, now, now, stateId, source, header, tensors.size(), parameters, bytes).update();
        appendHistory(id, 1, now, change);
        return new Summary(id, name, owner, 1, instant(now), instant(now), source, tensors.size(), parameters, bytes, header != null);
    }

    private String newState(String name) {
        String stateId = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO state (id, name, spec, training, generator, optimizer, parameter_count) VALUES (?, ?, '{}', 0, NULL, NULL, 0)")
                .params(stateId, name).update();
        return stateId;
    }

    /**
     * The sink an upload writes through: rows at layout, then chunks as the bytes arrive. The request's thread
     * reads and hashes each chunk; a thread of the writer's own stores them (what is queued when it is free,
     * one transaction), so the disk and the database work beside the receiving and hashing instead of after
     * them. At most {@link #BUFFERS} chunks are in flight (read, hashed, or being stored).
     */
    private final class Writer implements RawTensors.Sink, AutoCloseable {
        static final int BUFFERS = 8;
        private final String stateId;
        private final Upload upload;
        private final MessageDigest sha256 = sha256();
        final Set<Integer> written = new java.util.HashSet<>();
        private final BlockingQueue<Pending> free = new ArrayBlockingQueue<>(BUFFERS);
        private final BlockingQueue<Pending> queued = new ArrayBlockingQueue<>(BUFFERS + 1);
        private int allocated;
        private Thread thread;
        private volatile Throwable failure;
        private volatile boolean abandoned;

        /** A chunk read and hashed, on its way to the store; its buffer comes back to {@code free} once stored. */
        private static final class Pending {
            final byte[] buf;
            int length;
            int position;
            int seq;
            String digest;

            Pending(int size) {
                buf = new byte[size];
            }
        }

        private static final Pending STOP = new Pending(0);

        Writer(String stateId, Upload upload) {
            this.stateId = stateId;
            this.upload = upload;
        }

        @Override
        public void layout(List<RawTensors.Tensor> tensors) {
            writes.executeWithoutResult(tx -> {
                for (RawTensors.Tensor t : tensors) {
                    jdbc.sql("INSERT INTO state_tensor (state_id, position, tensor_key, dtype, shape, numel, requires_grad, storage_of)"
                                    + " VALUES (?, ?, ?, ?, ?, ?, NULL, ?)")
                            .params(stateId, t.position(), t.key(), t.dtype().pytorchName(), shapeText(t.shape()), t.numel(), t.tiedTo())
                            .update();
                }
            });
        }

        @Override
        public void data(int position, InputStream bytes, long length) throws IOException {
            if (!written.add(position)) {
                throw new IllegalStateException("tensor at " + position + " written twice");
            }
            int seq = 0;
            for (long remaining = length; remaining > 0; ) {
                Pending p = nextBuffer();
                int filled = 0;
                int want = (int) Math.min(p.buf.length, remaining);
                try {
                    while (filled < want) {
                        int n = bytes.read(p.buf, filled, want - filled);
                        if (n < 0) {
                            throw new java.io.EOFException("the data ends " + (remaining - filled) + " bytes early");
                        }
                        filled += n;
                    }
                    remaining -= filled;
                    Deadline.check();
                } catch (IOException | RuntimeException | Error e) {
                    free.add(p);
                    throw e;
                }
                sha256.update(p.buf, 0, filled);
                p.digest = HexFormat.of().formatHex(sha256.digest());
                p.length = filled;
                p.position = position;
                p.seq = seq++;
                queued.add(p);   // never full: it holds at most the BUFFERS chunks and STOP
            }
        }

        /**
         * A free buffer: a new one while fewer than BUFFERS exist and the memory budget has room for it (the first
         * always, or the upload is refused), else one the store thread gave back.
         */
        private Pending nextBuffer() throws IOException {
            rethrow();
            Pending p = free.poll();
            if (p == null && allocated < BUFFERS && upload.reserveBuffer(chunkBytes, allocated == 0)) {
                allocated++;
                if (thread == null) {
                    thread = new Thread(this::store, "upload-" + stateId);
                    thread.setDaemon(true);
                    thread.start();
                }
                return new Pending(chunkBytes);
            }
            try {
                while (p == null) {
                    p = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    rethrow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("the upload was interrupted");
            }
            rethrow();
            return p;
        }

        /** The store thread: each time, every chunk queued in one transaction (chunk and reference together: no sweep comes between). */
        private void store() {
            List<Pending> batch = new ArrayList<>();
            boolean stop = false;
            long startedAt = System.nanoTime();
            long busy = 0;
            int chunks = 0;
            int transactions = 0;
            while (!stop) {
                batch.clear();
                try {
                    batch.add(queued.take());
                } catch (InterruptedException e) {
                    failure = e;
                    return;
                }
                queued.drainTo(batch);
                stop = batch.remove(STOP);
                try {
                    if (failure == null && !abandoned && !batch.isEmpty()) {
                        long t = System.nanoTime();
                        writes.executeWithoutResult(tx -> {
                            for (Pending p : batch) {
                                storeChunk(p);
                            }
                        });
                        busy += System.nanoTime() - t;
                        chunks += batch.size();
                        transactions++;
                    }
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                free.addAll(batch);   // back to the reader, which then sees a failure
            }
            if (log.isDebugEnabled()) {
                log.debug("upload {}: {} chunks stored in {} transactions, {} ms of {} ms storing, {} ms of CPU", stateId, chunks,
                        transactions, busy / 1_000_000, (System.nanoTime() - startedAt) / 1_000_000,
                        java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000);
            }
        }

        private void storeChunk(Pending p) {
            boolean stored = jdbc.sql("SELECT size FROM chunk WHERE digest = ?" + states.dialect().keepChunk)
                    .param(p.digest).query(Integer.class).optional().isPresent();
            if (!stored) {
                byte[] data = p.length == p.buf.length ? p.buf : Arrays.copyOf(p.buf, p.length);
                jdbc.sql("INSERT INTO chunk (digest, size, data) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING")
                        .params(p.digest, p.length, data).update();
            }
            jdbc.sql("INSERT INTO tensor_chunk (state_id, position, seq, digest) VALUES (?, ?, ?, ?)")
                    .params(stateId, p.position, p.seq, p.digest).update();
        }

        /** Waits until every chunk read is stored; throws what storing one threw. */
        void finish() throws IOException {
            stopAndJoin();
            rethrow();
        }

        /** Stops the store thread after what it is storing (the rest is dropped) and waits for it: nothing is written after. */
        @Override
        public void close() {
            abandoned = true;
            stopAndJoin();
        }

        private void stopAndJoin() {
            if (thread == null) {
                return;
            }
            queued.add(STOP);
            boolean interrupted = Threads.joinUninterruptibly(thread);   // it must end before the upload's rows are discarded
            thread = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        private void rethrow() throws IOException {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            } else if (t instanceof Error e) {
                throw e;
            } else if (t != null) {
                throw new java.io.InterruptedIOException("storing the upload was interrupted");
            }
        }
    }

    public Optional<Summary> find(String id) {
        return jdbc.sql(SUMMARY + " WHERE id = ?").param(id).query(this::summary).optional();
    }

    /** State dicts ordered by creation time then id, as the models' list. */
    public Page<Summary> list(int limit, String afterCursor) {
        List<Summary> rows;
        if (afterCursor == null) {
            rows = jdbc.sql(SUMMARY + " ORDER BY created_at, id LIMIT ?").param(limit + 1).query(this::summary).list();
        } else {
            String[] cursor = parseCursor(afterCursor);
            long at = Long.parseLong(cursor[0]);
            rows = jdbc.sql(SUMMARY + " WHERE created_at > ? OR (created_at = ? AND id > ?) ORDER BY created_at, id LIMIT ?")
                    .params(at, at, cursor[1], limit + 1).query(this::summary).list();
        }
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        Summary last = rows.get(limit - 1);
        String cursor = micros(last.createdAt()) + ":" + last.id();
        return new Page<>(rows.subList(0, limit),
                Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8)));
    }

    private static String[] parseCursor(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = plain.indexOf(':');
            Long.parseLong(plain.substring(0, colon));
            return new String[] {plain.substring(0, colon), plain.substring(colon + 1)};
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a cursor of this list: " + text);
        }
    }

    /**
     * The tensors behind {@code ref}: a state dict id, {@code model:{id}} (its stored state) or
     * {@code model:{id}@{checkpoint}} (a checkpoint's, by id or tag); empty when there is none.
     */
    public Optional<Contents> contents(String ref) {
        return reads.execute(tx -> {
            if (ref.startsWith("model:")) {
                return modelStateId(ref).map(stateId -> new Contents(stateId, tensors(stateId), null));
            }
            record Row(String stateId, byte[] header) {
            }
            return jdbc.sql("SELECT state_id, header FROM state_dict WHERE id = ?").param(ref)
                    .query((rs, n) -> new Row(rs.getString(1), rs.getBytes(2))).optional()
                    .map(row -> new Contents(row.stateId(), tensors(row.stateId()), row.header()));
        });
    }

    private Optional<String> modelStateId(String ref) {
        String rest = ref.substring("model:".length());
        int at = rest.indexOf('@');
        if (at < 0) {
            return jdbc.sql("SELECT state_id FROM model WHERE id = ?").param(rest).query(String.class).optional();
        }
        String model = rest.substring(0, at);
        String checkpoint = rest.substring(at + 1);
        return jdbc.sql("SELECT state_id FROM checkpoint WHERE model_id = ? AND (id = ? OR tag = ?)"
                        + " ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END")
                .params(model, checkpoint, checkpoint, checkpoint).query(String.class).list().stream().findFirst();
    }

    private List<RawTensors.Tensor> tensors(String stateId) {
        return jdbc.sql("SELECT position, tensor_key, dtype, shape, numel, storage_of FROM state_tensor WHERE state_id = ? ORDER BY position")
                .param(stateId)
                .query((rs, n) -> {
                    StoredDtype dtype = StoredDtype.named(rs.getString(3));
                    if (dtype == null) {
                        throw new IllegalStateException("stored tensor \"" + rs.getString(2) + "\" has dtype " + rs.getString(3));
                    }
                    return new RawTensors.Tensor(rs.getInt(1), rs.getString(2), dtype, parseShape(rs.getString(4)), rs.getLong(5),
                            rs.getObject(6) == null ? null : rs.getInt(6));
                })
                .list();
    }

    /** A chunk of a tensor's bytes, in order; return false to stop. */
    public interface ChunkVisitor {
        boolean visit(byte[] chunk) throws IOException;
    }

    /** Visits the bytes of the untied tensor at {@code position}, chunk by chunk, each checked against its digest. */
    public void visit(String stateId, int position, ChunkVisitor visitor) throws IOException {
        List<String> digests = jdbc.sql("SELECT digest FROM tensor_chunk WHERE state_id = ? AND position = ? ORDER BY seq")
                .params(stateId, position).query(String.class).list();
        for (String digest : digests) {
            Deadline.check();
            byte[] bytes = jdbc.sql("SELECT data FROM chunk WHERE digest = ?").param(digest).query((rs, n) -> rs.getBytes(1)).single();
            if (!TensorChunks.sha256(bytes).equals(digest)) {
                throw new IllegalStateException("chunk " + digest + " does not match its digest");
            }
            if (!visitor.visit(bytes)) {
                return;
            }
        }
    }

    /** The chunk size tensors are stored in: chunk {@code seq} of a tensor starts at byte {@code seq * chunkSize()}. */
    public int chunkSize() {
        return chunkBytes;
    }

    /** Chunk {@code seq} of the untied tensor at {@code position}, checked against its digest. */
    public byte[] chunk(String stateId, int position, int seq) {
        String digest = jdbc.sql("SELECT digest FROM tensor_chunk WHERE state_id = ? AND position = ? AND seq = ?")
                .params(stateId, position, seq).query(String.class).optional()
                .orElseThrow(() -> new IllegalStateException("tensor at " + position + " has no chunk " + seq));
        Deadline.check();
        byte[] bytes = jdbc.sql("SELECT data FROM chunk WHERE digest = ?").param(digest).query((rs, n) -> rs.getBytes(1)).single();
        if (!TensorChunks.sha256(bytes).equals(digest)) {
            throw new IllegalStateException("chunk " + digest + " does not match its digest");
        }
        return bytes;
    }

    /** Writes the bytes of the untied tensor at {@code position} to {@code out}. */
    public void copyTo(String stateId, int position, OutputStream out) throws IOException {
        visit(stateId, position, chunk -> {
            out.write(chunk);
            return true;
        });
    }

    /**
     * Renames at {@code expectedVersion} (null: whatever the version) to version + 1 with its history entry.
     *
     * @throws VersionConflictException when the stored version is another; nothing is written
     */
    public Optional<Summary> rename(String id, Long expectedVersion, String name, Change change) {
        return Optional.ofNullable(writes.execute(tx -> {
            Optional<Long> version = jdbc.sql("SELECT version FROM state_dict WHERE id = ?" + states.dialect().keepRow)
                    .param(id).query(Long.class).optional();
            if (version.isEmpty()) {
                return null;
            }
            if (expectedVersion != null && !expectedVersion.equals(version.get())) {
                throw new VersionConflictException(id, expectedVersion, version.get());
            }
            long now = now();
            jdbc.sql("UPDATE state_dict SET name = ?, version = ?, updated_at = ? WHERE id = ?")
                    .params(name, version.get() + 1, now, id).update();
            appendHistory(id, version.get() + 1, now, change);
            return jdbc.sql(SUMMARY + " WHERE id = ?").param(id).query(this::summary).single();
        }));
    }

    /** Deletes the state dict and its history, then reclaims the chunks nothing references any more. */
    public boolean delete(String id) {
        List<String> unreferenced = writes.execute(tx -> {
            Optional<String> stateId = jdbc.sql("SELECT state_id FROM state_dict WHERE id = ?").param(id).query(String.class).optional();
            if (stateId.isEmpty()) {
                return null;
            }
            List<String> digests = new ArrayList<>(states.digests(stateId.get()));
            jdbc.sql("DELETE FROM state_dict_history WHERE state_dict_id = ?").param(id).update();
            jdbc.sql("DELETE FROM state_dict WHERE id = ?").param(id).update();
            states.delete(stateId.get());
            return digests;
        });
        if (unreferenced == null) {
            return false;
        }
        writes.executeWithoutResult(tx -> states.sweep(unreferenced));
        return true;
    }

    public List<HistoryEntry> history(String id, int limit) {
        return jdbc.sql("SELECT version, at, actor, operation, summary FROM state_dict_history WHERE state_dict_id = ?"
                        + " ORDER BY version DESC LIMIT ?")
                .params(id, limit)
                .query((rs, n) -> new HistoryEntry(rs.getLong(1), instant(rs.getLong(2)), rs.getString(3), rs.getString(4),
                        rs.getString(5)))
                .list();
    }

    /** The elements of the state dicts {@code owner} holds (the stored-parameters quota counts them with its models'). */
    public long parameters(String owner) {
        return jdbc.sql("SELECT COALESCE(SUM(parameter_count), 0) FROM state_dict WHERE owner = ?").param(owner)
                .query(Long.class).single();
    }

    /** The bytes of every stored chunk: what the tensors of models, checkpoints and state dicts cost, once each. */
    public long chunkBytes() {
        return jdbc.sql("SELECT COALESCE(SUM(size), 0) FROM chunk").query(Long.class).single();
    }

    private void appendHistory(String id, long version, long at, Change change) {
        jdbc.sql("INSERT INTO state_dict_history (state_dict_id, version, at, actor, operation, summary) VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, version, at, change.actor(), change.operation(), change.summary()).update();
    }

    private Summary summary(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Summary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), instant(rs.getLong(5)),
                instant(rs.getLong(6)), rs.getString(7), rs.getInt(8), rs.getLong(9), rs.getLong(10), rs.getBoolean(11));
    }

    private long now() {
        return micros(clock.instant());
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private static String shapeText(int[] shape) {
        return String.join(",", Arrays.stream(shape).mapToObj(Integer::toString).toList());
    }

    private static int[] parseShape(String text) {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
