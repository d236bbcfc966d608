package io.paramlab.store;

import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The instances of the service and the models' leases (API.md "Several instances"): each model is held
 * by at most one live instance. An instance is alive while its heartbeat keeps {@code expires_at} ahead
 * of the database's clock; once it has expired it cannot renew, and any other instance may take its
 * leases, each by a compare-and-set on the old holder, so two never take one lease. Every statement
 * here is one atomic write or read: nothing waits on a row lock.
 */
public final class LeaseStore {
    /** How an instance came to hold a lease: it was free, its holder had expired, or it was held already. */
    public enum Taken { FREE, FROM_EXPIRED, HELD }

    /** A model's lease: its holder, the address others forward to, and how the caller met it. */
    public record Lease(String instanceId, String url, Taken taken) {
    }

    private record Holder(String instanceId, String url, boolean alive) {
    }

    private final JdbcClient jdbc;
    private final String now;
    private final String instanceId;

    public LeaseStore(DataSource dataSource, String instanceId) {
        this.jdbc = JdbcClient.create(dataSource);
        this.now = Dialect.of(dataSource).nowMicros;
        this.instanceId = instanceId;
    }

    /** Whether several instances may share this store: PostgreSQL, not the embedded SQLite. */
    public static boolean shared(DataSource dataSource) {
        return Dialect.of(dataSource) == Dialect.POSTGRESQL;
    }

    /** This process's instance id: the holder its commits are checked against. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Registers this instance, alive for {@code ttl}. An earlier instance at the same address is this
     * one's predecessor (two live processes cannot listen there): it is expired now, not after its ttl.
     */
    public void register(String url, Duration ttl) {
        jdbc.sql("UPDATE instance SET expires_at = 0 WHERE url = ? AND id <> ?").params(url, instanceId).update();
        jdbc.sql("INSERT INTO instance (id, url, started_at, expires_at) VALUES (?, ?, " + now + ", " + now + " + ?)")
                .params(instanceId, url, micros(ttl)).update();
    }

    /** Moves this instance's expiry {@code ttl} ahead; false when it had already expired (its leases may be taken). */
    public boolean renew(Duration ttl) {
        return jdbc.sql("UPDATE instance SET expires_at = " + now + " + ? WHERE id = ? AND expires_at > " + now)
                .params(micros(ttl), instanceId).update() == 1;
    }

    /**
     * The model's lease, taken by this instance when it is free or its holder has expired; empty when
     * there is no such model.
     */
    public Optional<Lease> acquire(String modelId) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Holder> holder = holder(modelId);
            if (holder.isPresent() && (holder.get().alive() || holder.get().instanceId().equals(instanceId))) {
                return Optional.of(new Lease(holder.get().instanceId(), holder.get().url(), Taken.HELD));
            }
            if (holder.isEmpty()) {
                int inserted = jdbc.sql("INSERT INTO lease (model_id, instance_id, since) SELECT ?, ?, " + now
                                + " WHERE EXISTS (SELECT 1 FROM model WHERE id = ?) ON CONFLICT (model_id) DO NOTHING")
                        .params(modelId, instanceId, modelId).update();
                if (inserted == 1) {
                    return Optional.of(new Lease(instanceId, null, Taken.FREE));
                }
                if (jdbc.sql("SELECT 1 FROM model WHERE id = ?").param(modelId).query(Integer.class).optional().isEmpty()) {
                    return Optional.empty();
                }
            } else if (jdbc.sql("UPDATE lease SET instance_id = ?, since = " + now + " WHERE model_id = ? AND instance_id = ?")
                    .params(instanceId, modelId, holder.get().instanceId()).update() == 1) {
                return Optional.of(new Lease(instanceId, null, Taken.FROM_EXPIRED));
            }
            // another instance took it between the read and the write: read again
        }
        throw new IllegalStateException("the lease of model " + modelId + " kept moving");
    }

    private Optional<Holder> holder(String modelId) {
        return jdbc.sql("SELECT l.instance_id, i.url, CASE WHEN i.expires_at > " + now + " THEN 1 ELSE 0 END"
                        + " FROM lease l LEFT JOIN instance i ON i.id = l.instance_id WHERE l.model_id = ?")
                .param(modelId)
                .query((rs, row) -> new Holder(rs.getString(1), rs.getString(2), rs.getInt(3) == 1))
                .optional();
    }

    /** Models with a queued or running job and no live holder: their jobs need an instance. */
    public List<String> modelsWithOrphanedJobs() {
        return jdbc.sql("SELECT DISTINCT j.model_id FROM job j WHERE j.status IN ('queued', 'running') AND NOT EXISTS"
                        + " (SELECT 1 FROM lease l JOIN instance i ON i.id = l.instance_id WHERE l.model_id = j.model_id"
                        + " AND i.expires_at > " + now + ")")
                .query(String.class).list();
    }

    /** At a graceful stop: this instance's leases are free for the others at once. */
    public void releaseAll() {
        jdbc.sql("DELETE FROM lease WHERE instance_id = ?").param(instanceId).update();
        jdbc.sql("DELETE FROM instance WHERE id = ?").param(instanceId).update();
    }

    /** Forgets instances expired for a day that hold nothing. */
    public void forgetLongExpired() {
        jdbc.sql("DELETE FROM instance WHERE expires_at < " + now + " - ? AND NOT EXISTS"
                + " (SELECT 1 FROM lease l WHERE l.instance_id = instance.id)").param(micros(Duration.ofDays(1))).update();
    }

    /**
     * After this instance found itself expired (a pause or a lost database longer than its ttl): it gives up
     * every lease it still has, as if it had died, and is alive again with nothing held.
     */
    public void revive(Duration ttl) {
        jdbc.sql("DELETE FROM lease WHERE instance_id = ?").param(instanceId).update();
        jdbc.sql("UPDATE instance SET expires_at = " + now + " + ? WHERE id = ?").params(micros(ttl), instanceId).update();
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }
}
