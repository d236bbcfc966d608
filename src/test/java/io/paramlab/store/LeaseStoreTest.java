package io.paramlab.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Leases on a real PostgreSQL: a model is held by the instance that created it; another instance meets
 * that holder until it expires, then takes the lease (exactly one of two contenders does), and from
 * then on only the new holder's commits are written: the old one's are refused with nothing changed.
 */
class LeaseStoreTest {
    static {
        StoreFixtures.quietLogs();
    }

    private static final Duration LONG = Duration.ofMinutes(5);
    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.start();
        dataSource = postgres.getPostgresDatabase();
        StoreFixtures.migrate(dataSource, "postgresql");
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    private record Instance(LeaseStore leases, JdbcModelStore store) {
        static Instance registered(String url, Duration ttl) {
            String id = UUID.randomUUID().toString();
            Instance instance = new Instance(new LeaseStore(dataSource, id),
                    new JdbcModelStore(dataSource, StoreFixtures.properties(100), Clock.systemUTC(), id));
            instance.leases().register(url, ttl);
            return instance;
        }

        String id() {
            return leases.instanceId();
        }
    }

    private static String created(Instance by) {
        String model = UUID.randomUUID().toString();
        by.store().create(new ModelRecord(model, "owner", StoreFixtures.state("m", 1)), new Change("owner", "create", null));
        return model;
    }

    @Test
    void aModelIsHeldByItsCreatorAndTakenOnlyOnceItsHolderHasExpired() throws Exception {
        Instance creator = Instance.registered("http://one:8080", Duration.ofSeconds(1));
        Instance other = Instance.registered("http://two:8080", LONG);
        String model = created(creator);

        LeaseStore.Lease seen = other.leases().acquire(model).orElseThrow();
        assertThat(seen.instanceId()).isEqualTo(creator.id());
        assertThat(seen.url()).isEqualTo("http://one:8080");
        assertThat(seen.taken()).isEqualTo(LeaseStore.Taken.HELD);
        assertThat(other.leases().acquire("no such model")).isEmpty();

        Thread.sleep(1500);   // the creator's heartbeat stops: it expires
        LeaseStore.Lease taken = other.leases().acquire(model).orElseThrow();
        assertThat(taken.instanceId()).isEqualTo(other.id());
        assertThat(taken.taken()).isEqualTo(LeaseStore.Taken.FROM_EXPIRED);
        assertThat(creator.leases().renew(Duration.ofSeconds(1))).as("an expired instance cannot come back by itself").isFalse();
        assertThat(creator.leases().acquire(model).orElseThrow().instanceId()).isEqualTo(other.id());

        // the old holder's commit is refused and writes nothing; the new holder's goes in
        assertThatThrownBy(() -> creator.store().commit(model, 1, StoreFixtures.state("stale", 2), new Change("x", "patch", null)))
                .isInstanceOf(LeaseLostException.class);
        assertThat(other.store().find(model).orElseThrow().version()).isEqualTo(1);
        assertThat(other.store().commit(model, 1, StoreFixtures.state("new", 3), new Change("x", "patch", null)).version()).isEqualTo(2);
        assertThat(other.store().find(model).orElseThrow().name()).isEqualTo("new");
    }

    @Test
    void ofTwoInstancesTakingOneExpiredLeaseExactlyOneGetsIt() throws Exception {
        Instance dead = Instance.registered("http://three:8080", Duration.ofSeconds(1));
        String model = created(dead);
        Thread.sleep(1500);
        Instance one = Instance.registered("http://four:8080", LONG);
        Instance two = Instance.registered("http://five:8080", LONG);
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> one.leases().acquire(model).orElseThrow());
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> two.leases().acquire(model).orElseThrow());
        LeaseStore.Lease a = first.get();
        LeaseStore.Lease b = second.get();
        assertThat(a.instanceId()).isEqualTo(b.instanceId()).isIn(one.id(), two.id());
        assertThat(java.util.List.of(a.taken(), b.taken())).containsExactlyInAnyOrder(LeaseStore.Taken.FROM_EXPIRED, LeaseStore.Taken.HELD);
    }

    @Test
    void anInstanceStartedAgainAtItsAddressReplacesItsPredecessorAtOnce() {
        Instance before = Instance.registered("http://six:8080", LONG);
        String model = created(before);
        Instance after = Instance.registered("http://six:8080", LONG);
        assertThat(after.leases().acquire(model).orElseThrow())
                .isEqualTo(new LeaseStore.Lease(after.id(), null, LeaseStore.Taken.FROM_EXPIRED));
        assertThat(before.leases().renew(LONG)).isFalse();
    }

    @Test
    void aGracefulStopFreesTheLeasesAtOnce() {
        Instance stopping = Instance.registered("http://seven:8080", LONG);
        String model = created(stopping);
        stopping.leases().releaseAll();
        Instance other = Instance.registered("http://eight:8080", LONG);
        assertThat(other.leases().acquire(model).orElseThrow().taken()).isEqualTo(LeaseStore.Taken.FREE);
        assertThatThrownBy(() -> stopping.store().commit(model, 1, StoreFixtures.state("late", 2), new Change("x", "patch", null)))
                .isInstanceOf(LeaseLostException.class);
    }
}
