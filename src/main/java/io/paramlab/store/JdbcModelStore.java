package io.paramlab.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store on SQLite or PostgreSQL through one JdbcClient code path. Each write is one database
 * transaction; chunks a write left unreferenced are swept in a transaction of their own after it,
 * so a sweep that races a concurrent writer (PostgreSQL) can only fail itself, never the write; on
 * SQLite, where no writer runs beside another, a commit sweeps inside its own transaction ({@link Dialect#sweepsInCommit}).
 */
public final class JdbcModelStore implements ModelStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcModelStore.class);
    private static final String SUMMARY = "SELECT m.id, s.name, m.owner, m.version, m.created_at, m.updated_at, s.parameter_count"
            + " FROM model m JOIN state s ON s.id = m.state_id";
    private static final String CHECKPOINT = "SELECT id, model_id, tag, message, model_version, created_at,"
            + " parameter_count, bytes FROM checkpoint";

    private final JdbcClient jdbc;
    private final TransactionTemplate writes;
    private final TransactionTemplate reads;
    private final StateTables states;
    private final StoreProperties properties;
    private final Clock clock;
    // PostgreSQL, where several instances may share the store: the instance whose leases its commits need; else null
    private final String leaseHolder;
    // this process's id in the instance table: the claimer of the Idempotency-Keys it claims
    private final String instanceId;
    private final Dialect dialect;
    // the tokens of this process's claims on Idempotency-Keys whose requests still run (see CLAIM)
    private final Set<String> ownClaims = ConcurrentHashMap.newKeySet();

    public JdbcModelStore(DataSource dataSource, StoreProperties properties, Clock clock) {
        this(dataSource, properties, clock, UUID.randomUUID().toString());
    }

    /** {@code instanceId}: this process's id in the lease table, on PostgreSQL (the embedded store has one instance and no leases). */
    public JdbcModelStore(DataSource dataSource, StoreProperties properties, Clock clock, String instanceId) {
        Dialect dialect = Dialect.of(dataSource);
        this.leaseHolder = dialect == Dialect.POSTGRESQL ? instanceId : null;
        this.instanceId = instanceId;
        this.dialect = dialect;
        JdbcTransactionManager transactions = new JdbcTransactionManager(dataSource);
        this.jdbc = JdbcClient.create(dataSource);
        this.writes = new TransactionTemplate(transactions);
        this.reads = new TransactionTemplate(transactions);
        this.reads.setIsolationLevel(dialect.readIsolation);
        this.reads.setReadOnly(true);
        this.states = new StateTables(jdbc, dialect, new TensorChunks(Math.toIntExact(properties.chunkSize().toBytes())));
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public ModelSummary create(ModelRecord model, Change change) {
        return writes.execute(tx -> {
            long now = now();
            StateTables.Written written = states.write(model.state());
            jdbc.sql("INSERT INTO model (id, owner, version, created_at, updated_at, state_id) VALUES (?, ?, 1, ?, ?, ?)")
                    .params(model.id(), model.owner(), now, now, written.stateId()).update();
            if (leaseHolder != null) {   // the creating instance holds the new model
                jdbc.sql("INSERT INTO lease (model_id, instance_id, since) VALUES (?, ?, ?)").params(model.id(), leaseHolder, now).update();
            }
            appendHistory(model.id(), 1, now, change);
            return new ModelSummary(model.id(), model.state().name(), model.owner(), 1, instant(now), instant(now),
                    model.state().parameterCount());
        });
    }

    @Override
    public ModelSummary commit(String id, long expectedVersion, ModelState state, TensorChanges changes, Change change) {
        record Done(ModelSummary summary, List<String> unreferenced) {
        }
        Done done = writes.execute(tx -> {
            long now = now();
            // the conditional update takes the row lock first: a concurrent committer waits here, then fails the check
            int moved = leaseHolder == null
                    ? jdbc.sql("UPDATE model SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
                            .params(now, id, expectedVersion).update()
                    : jdbc.sql("UPDATE model SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
                                    + " AND EXISTS (SELECT 1 FROM lease WHERE model_id = ? AND instance_id = ?)")
                            .params(now, id, expectedVersion, id, leaseHolder).update();
            if (moved == 0) {
                long actual = jdbc.sql("SELECT version FROM model WHERE id = ?").param(id).query(Long.class).optional()
                        .orElseThrow(() -> new NoSuchModelException(id));
                if (actual == expectedVersion) {
                    throw new LeaseLostException(id);
                }
                throw new VersionConflictException(id, expectedVersion, actual);
            }
            String oldState = jdbc.sql("SELECT state_id FROM model WHERE id = ?").param(id).query(String.class).single();
            Set<String> oldDigests = states.digests(oldState);
            // the previous state is read inside this transaction, after the version check: it is the one being replaced
            StateTables.Written written = states.write(state, oldState, changes);
            log.debug("commit of {} at version {}: {} bytes hashed, {} bytes of new chunks", id, expectedVersion + 1,
                    written.hashedBytes(), written.newChunkBytes());
            jdbc.sql("UPDATE model SET state_id = ? WHERE id = ?").params(written.stateId(), id).update();
            states.delete(oldState);
            appendHistory(id, expectedVersion + 1, now, change);
            change.alongside().run();
            ModelSummary summary = jdbc.sql(SUMMARY + " WHERE m.id = ?").param(id).query(this::summary).single();
            List<String> unreferenced = StateTables.minus(oldDigests, written.digests());
            if (dialect.sweepsInCommit) {
                states.sweep(unreferenced);
                return new Done(summary, List.of());
            }
            return new Done(summary, unreferenced);
        });
        sweep(done.unreferenced());
        return done.summary();
    }

    private void appendHistory(String id, long version, long at, Change change) {
        jdbc.sql("INSERT INTO history (model_id, version, at, actor, operation, summary) VALUES (?, ?, ?, ?, ?, ?)")
                .params(id, version, at, change.actor(), change.operation(), change.summary()).update();
        // versions are consecutive, so the last historyLimit entries are those above version - historyLimit
        jdbc.sql("DELETE FROM history WHERE model_id = ? AND version <= ?")
                .params(id, version - properties.historyLimit()).update();
    }

    @Override
    public Optional<StoredModel> load(String id) {
        return reads.execute(tx -> jdbc.sql(SUMMARY + " WHERE m.id = ?").param(id).query(this::summary).optional()
                .map(summary -> {
                    String stateId = jdbc.sql("SELECT state_id FROM model WHERE id = ?").param(id).query(String.class).single();
                    return new StoredModel(summary, states.read(stateId));
                }));
    }

    @Override
    public Optional<ModelSummary> find(String id) {
        return jdbc.sql(SUMMARY + " WHERE m.id = ?").param(id).query(this::summary).optional();
    }

    @Override
    public Page<ModelSummary> list(int limit, String afterCursor) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, not " + limit);
        }
        List<ModelSummary> rows;
        if (afterCursor == null) {
            rows = jdbc.sql(SUMMARY + " ORDER BY m.created_at, m.id LIMIT ?").param(limit + 1).query(this::summary).list();
        } else {
            Cursor cursor = Cursor.parse(afterCursor);
            rows = jdbc.sql(SUMMARY + " WHERE m.created_at > ? OR (m.created_at = ? AND m.id > ?) ORDER BY m.created_at, m.id LIMIT ?")
                    .params(cursor.createdAt(), cursor.createdAt(), cursor.id(), limit + 1).query(this::summary).list();
        }
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        ModelSummary last = rows.get(limit - 1);
        return new Page<>(rows.subList(0, limit), new Cursor(micros(last.createdAt()), last.id()).text());
    }

    /** A position in the list: the last model's creation time and id, opaque to clients. */
    private record Cursor(long createdAt, String id) {
        String text() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAt + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':');
                return new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("not a cursor of this list: " + text);
            }
        }
    }

    @Override
    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM model").query(Long.class).single();
    }

    @Override
    public Usage usage(String owner) {
        // the stored-parameters quota counts the owner's state dicts' elements too
        return jdbc.sql("SELECT COUNT(*), COALESCE(SUM(s.parameter_count), 0) + (SELECT COALESCE(SUM(d.parameter_count), 0)"
                        + " FROM state_dict d WHERE d.owner = ?) FROM model m JOIN state s ON s.id = m.state_id WHERE m.owner = ?")
                .params(owner, owner).query((rs, row) -> new Usage(rs.getLong(1), rs.getLong(2))).single();
    }

    @Override
    public boolean delete(String id) {
        List<String> unreferenced = writes.execute(tx -> {
            // the row lock first: a commit in flight finishes before its state is read here (else its new state would
            // outlive the model), and commits and checkpoints that come after find no model
            Optional<String> modelState = jdbc.sql("SELECT state_id FROM model WHERE id = ?" + keepRow()).param(id)
                    .query(String.class).optional();
            if (modelState.isEmpty()) {
                return null;
            }
            List<String> stateIds = new ArrayList<>(jdbc.sql("SELECT state_id FROM checkpoint WHERE model_id = ?")
                    .param(id).query(String.class).list());
            stateIds.add(modelState.get());
            List<String> digests = new ArrayList<>();
            for (String stateId : stateIds) {
                digests.addAll(states.digests(stateId));
            }
            digests.addAll(JobStore.deleteJobsOfModel(jdbc, states, id));
            jdbc.sql("DELETE FROM history WHERE model_id = ?").param(id).update();
            jdbc.sql("DELETE FROM checkpoint WHERE model_id = ?").param(id).update();
            jdbc.sql("DELETE FROM model WHERE id = ?").param(id).update();
            jdbc.sql("DELETE FROM lease WHERE model_id = ?").param(id).update();
            stateIds.forEach(states::delete);
            return digests;
        });
        if (unreferenced == null) {
            return false;
        }
        sweep(unreferenced);
        return true;
    }

    @Override
    public List<HistoryEntry> history(String id, int limit) {
        return jdbc.sql("SELECT version, at, actor, operation, summary FROM history WHERE model_id = ? ORDER BY version DESC LIMIT ?")
                .params(id, limit)
                .query((rs, n) -> new HistoryEntry(rs.getLong(1), instant(rs.getLong(2)), rs.getString(3), rs.getString(4),
                        rs.getString(5)))
                .list();
    }

    @Override
    public Checkpoint createCheckpoint(String modelId, String tag, String message) {
        try {
            return writes.execute(tx -> {
                record Current(long version, String stateId) {
                }
                Current current = jdbc.sql("SELECT version, state_id FROM model WHERE id = ?" + keepRow())
                        .param(modelId).query((rs, n) -> new Current(rs.getLong(1), rs.getString(2))).optional()
                        .orElseThrow(() -> new NoSuchModelException(modelId));
                if (tag != null && jdbc.sql("SELECT id FROM checkpoint WHERE model_id = ? AND tag = ?")
                        .params(modelId, tag).query(String.class).optional().isPresent()) {
                    throw new TagTakenException(modelId, tag);
                }
                long seq = jdbc.sql("SELECT COALESCE(MAX(seq), 0) + 1 FROM checkpoint WHERE model_id = ?")
                        .param(modelId).query(Long.class).single();
                String stateId = states.copy(current.stateId());
                // what this checkpoint adds to what checkpoints keep: its chunks that no other checkpoint references
                long bytes = jdbc.sql("SELECT COALESCE(SUM(c.size), 0) FROM chunk c"
                                + " WHERE c.digest IN (SELECT digest FROM tensor_chunk WHERE state_id = ?)"
                                + " AND NOT EXISTS (SELECT 1 FROM tensor_chunk t JOIN checkpoint k ON k.state_id = t.state_id"
                                + " WHERE t.digest = c.digest)")
                        .param(stateId).query(Long.class).single();
                Checkpoint checkpoint = new Checkpoint(UUID.randomUUID().toString(), modelId, tag, message, current.version(),
                        instant(now()), states.parameterCount(stateId), bytes);
                jdbc.sql("INSERT INTO checkpoint (id, model_id, seq, tag, message, model_version, created_at, parameter_count,"
                                + " bytes, state_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .params(checkpoint.id(), modelId, seq, tag, message, checkpoint.modelVersion(), micros(checkpoint.createdAt()),
                                checkpoint.parameterCount(), bytes, stateId)
                        .update();
                return checkpoint;
            });
        } catch (DuplicateKeyException e) {
            throw new TagTakenException(modelId, tag);   // a concurrent checkpoint took the tag first
        }
    }

    private String keepRow() {
        return states.dialect().keepRow;
    }

    @Override
    public List<Checkpoint> listCheckpoints(String modelId) {
        return jdbc.sql(CHECKPOINT + " WHERE model_id = ? ORDER BY seq").param(modelId).query(this::checkpoint).list();
    }

    @Override
    public Optional<Checkpoint> getCheckpoint(String modelId, String idOrTag) {
        return jdbc.sql(CHECKPOINT + " WHERE model_id = ? AND (id = ? OR tag = ?) ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END")
                .params(modelId, idOrTag, idOrTag, idOrTag).query(this::checkpoint).list().stream().findFirst();
    }

    @Override
    public Optional<ModelState> loadCheckpointState(String modelId, String checkpointId) {
        return reads.execute(tx -> getCheckpoint(modelId, checkpointId).map(checkpoint -> states.read(
                jdbc.sql("SELECT state_id FROM checkpoint WHERE id = ?").param(checkpoint.id()).query(String.class).single())));
    }

    @Override
    public boolean deleteCheckpoint(String modelId, String checkpointId) {
        List<String> unreferenced = writes.execute(tx -> {
            Optional<Checkpoint> checkpoint = getCheckpoint(modelId, checkpointId);
            if (checkpoint.isEmpty()) {
                return null;
            }
            String stateId = jdbc.sql("SELECT state_id FROM checkpoint WHERE id = ?").param(checkpoint.get().id())
                    .query(String.class).single();
            List<String> digests = new ArrayList<>(states.digests(stateId));
            jdbc.sql("DELETE FROM checkpoint WHERE id = ?").param(checkpoint.get().id()).update();
            states.delete(stateId);
            return digests;
        });
        if (unreferenced == null) {
            return false;
        }
        sweep(unreferenced);
        return true;
    }

    private Optional<IdempotentResponse> row(String key) {
        return jdbc.sql("SELECT idem_key, request_hash, status, headers, body, created_at FROM idempotency WHERE idem_key = ?")
                .param(key)
                .query((rs, n) -> new IdempotentResponse(rs.getString(1), rs.getString(2), rs.getInt(3),
                        parseHeaders(rs.getString(4)), rs.getBytes(5), instant(rs.getLong(6))))
                .optional();
    }

    private boolean fresh(IdempotentResponse answer) {
        return micros(answer.createdAt()) >= now() - ttlMicros();
    }

    /*
     * A claim is the key's row with status 0 and, for request_hash, "claim <instance id> <nonce>", followed by
     * " <request hash>" when the request's hash was known at its claim (64 hex digits: the token stays within the
     * column's 128 characters). The insert is atomic (the key is the primary key), so of two simultaneous claims
     * on any instances one inserts and the other finds it. A claim lives while its request does: on this
     * instance, while the token is in ownClaims (from the claim to its keep or release, even when the store
     * could not be told); on another, while that instance's heartbeat has not expired by the database's clock
     * (the embedded store has no other). A dead claim is taken over by a compare-and-set on its token, so two
     * never take one.
     */
    private static final String CLAIM = "claim ";

    @Override
    public IdempotencyClaim claimIdempotent(String key, String requestHash) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String token = CLAIM + instanceId + " " + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                    + (requestHash == null ? "" : " " + requestHash);
            ownClaims.add(token);
            boolean claimed = false;
            try {
                if (jdbc.sql("INSERT INTO idempotency (idem_key, request_hash, status, headers, body, created_at) VALUES (?, ?, 0, '', NULL, ?)"
                        + " ON CONFLICT (idem_key) DO NOTHING").params(key, token, now()).update() == 1) {
                    claimed = true;
                    return new IdempotencyClaim.Claimed(token);
                }
                Optional<IdempotentResponse> row = row(key);
                if (row.isEmpty()) {
                    continue;   // released or expired between the insert and the read
                }
                IdempotentResponse found = row.get();
                if (!found.inProgress()) {
                    if (fresh(found)) {
                        return new IdempotencyClaim.Kept(found);
                    }
                    jdbc.sql("DELETE FROM idempotency WHERE idem_key = ? AND status <> 0 AND created_at < ?")
                            .params(key, now() - ttlMicros()).update();
                } else if (claimLive(found.requestHash())) {
                    return new IdempotencyClaim.Running(claimedHash(found.requestHash()));
                } else if (jdbc.sql("UPDATE idempotency SET request_hash = ?, created_at = ? WHERE idem_key = ? AND request_hash = ? AND status = 0")
                        .params(token, now(), key, found.requestHash()).update() == 1) {
                    log.info("Idempotency-Key claim of a dead request taken over: {}", found.requestHash());
                    claimed = true;
                    return new IdempotencyClaim.Claimed(token);
                }
                // another request answered, released or took the key between the read and the write: read again
            } finally {
                if (!claimed) {
                    ownClaims.remove(token);
                }
            }
        }
        throw new IllegalStateException("the claim of an Idempotency-Key kept moving");
    }

    private boolean claimLive(String token) {
        String[] parts = token.split(" ");
        if (parts.length < 3 || parts.length > 4 || !(parts[0] + " ").equals(CLAIM)) {
            return false;
        }
        if (parts[1].equals(instanceId)) {
            return ownClaims.contains(token);
        }
        return jdbc.sql("SELECT COUNT(*) FROM instance WHERE id = ? AND expires_at > " + dialect.nowMicros)
                .param(parts[1]).query(Long.class).single() > 0;
    }

    /** The running request's hash in its claim's token, or null when it was not known at the claim. */
    private static String claimedHash(String token) {
        String[] parts = token.split(" ");
        return parts.length == 4 ? parts[3] : null;
    }

    @Override
    public void keepIdempotent(String key, IdempotencyClaim.Claimed claim, String requestHash, int status,
                               Map<String, List<String>> headers, byte[] body) {
        try {
            writes.executeWithoutResult(tx -> {
                long now = now();
                if (jdbc.sql("UPDATE idempotency SET request_hash = ?, status = ?, headers = ?, body = ?, created_at = ?"
                                + " WHERE idem_key = ? AND request_hash = ? AND status = 0")
                        .params(requestHash, status, headerText(headers), body, now, key, claim.token()).update() == 0) {
                    throw new IdempotencyClaimLostException();
                }
                jdbc.sql("DELETE FROM idempotency WHERE created_at < ?").param(now - ttlMicros()).update();   // expired keys go
            });
        } finally {
            ownClaims.remove(claim.token());
        }
    }

    @Override
    public void releaseIdempotent(String key, IdempotencyClaim.Claimed claim) {
        try {
            jdbc.sql("DELETE FROM idempotency WHERE idem_key = ? AND request_hash = ? AND status = 0").params(key, claim.token()).update();
        } finally {
            ownClaims.remove(claim.token());
        }
    }

    /** Deletes every chunk nothing references: at start, for a crash between a write and its sweep. */
    public int reclaimUnreferencedChunks() {
        Integer deleted = writes.execute(tx -> states.sweepAll());
        return deleted == null ? 0 : deleted;
    }

    private void sweep(Collection<String> candidates) {
        if (candidates.isEmpty()) {
            return;
        }
        try {
            writes.executeWithoutResult(tx -> states.sweep(candidates));
        } catch (DataAccessException e) {
            // a concurrent writer took one of these chunks again; the next sweep (or the one at start) retries
            log.info("chunk sweep deferred: {}", e.getMessage());
        }
    }

    private long ttlMicros() {
        return properties.idempotencyTtl().toNanos() / 1000;
    }

    private static String headerText(Map<String, List<String>> headers) {
        StringBuilder text = new StringBuilder();
        headers.forEach((name, values) -> values.forEach(value -> text.append(name).append(": ").append(value).append('\n')));
        return text.toString();
    }

    private static Map<String, List<String>> parseHeaders(String text) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>()).add(line.substring(colon + 2));
            }
        }
        return headers;
    }

    private ModelSummary summary(ResultSet rs, int row) throws SQLException {
        return new ModelSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), instant(rs.getLong(5)),
                instant(rs.getLong(6)), rs.getLong(7));
    }

    private Checkpoint checkpoint(ResultSet rs, int row) throws SQLException {
        return new Checkpoint(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                instant(rs.getLong(6)), rs.getLong(7), rs.getLong(8));
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
}
