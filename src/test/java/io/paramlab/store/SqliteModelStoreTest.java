package io.paramlab.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on a real SQLite file in a fresh data folder per test. */
class SqliteModelStoreTest extends ModelStoreContract {
    static {
        StoreFixtures.quietLogs();
    }

    @TempDir
    Path dataDir;
    private EmbeddedDatabase database;

    @Override
    protected DataSource emptyDatabase() {
        database = EmbeddedDatabase.open(dataDir);
        StoreFixtures.migrate(database.dataSource(), "sqlite");
        return database.dataSource();
    }

    /** The other writer waits for the one connection, which nothing here can see: it is given time to start. */
    @Override
    protected void untilAWriterWaits() throws InterruptedException {
        Thread.sleep(300);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void connectionIsWalWithFullSync() {
        assertThat(jdbc.sql("PRAGMA journal_mode").query(String.class).single()).isEqualToIgnoringCase("wal");
        assertThat(jdbc.sql("PRAGMA synchronous").query(Integer.class).single()).as("FULL").isEqualTo(2);
        assertThat(jdbc.sql("PRAGMA foreign_keys").query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("PRAGMA busy_timeout").query(Integer.class).single()).isPositive();
    }

    /** A commit that leaves chunks unreferenced sweeps them in its own transaction: one commit, one fsync of the log. */
    @Test
    void aCommitAndItsSweepAreOneTransaction() {
        store.create(new ModelRecord("m1", null, StoreFixtures.state("net", 1)), new Change("anonymous", "create", "created"));
        long chunks = jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single();
        CountingDataSource counting = new CountingDataSource(dataSource);
        JdbcModelStore counted = new JdbcModelStore(counting.dataSource(), StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE);

        counted.commit("m1", 1, StoreFixtures.state("net", 2), new Change("alice", "job.epoch", "every value moved"));

        assertThat(counting.count(sql -> sql.startsWith("DELETE FROM chunk"))).as("chunks swept").isPositive();
        assertThat(counting.commits()).as("transactions committed").isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single()).as("the old version's chunks are gone")
                .isEqualTo(chunks);
    }

    /** A database of before V5: its model's optimizer record (all in the text) reads back as it was once migrated. */
    @Test
    void aStateStoredBeforeTheOptimizerStateColumnReadsAsItWas() {
        String record = "{\"spec\":{\"type\":\"Adam\",\"lr\":0.002},\"state\":\"UEsDBA==\",\"step_count\":8}";
        try (EmbeddedDatabase old = EmbeddedDatabase.open(dataDir.resolve("v4"))) {
            org.flywaydb.core.Flyway.configure().dataSource(old.dataSource()).locations("classpath:db/migration/sqlite").target("4")
                    .load().migrate();
            org.springframework.jdbc.core.simple.JdbcClient v4 = org.springframework.jdbc.core.simple.JdbcClient.create(old.dataSource());
            v4.sql("INSERT INTO state (id, name, spec, training, generator, optimizer, parameter_count) VALUES ('s1', 'net', '{}', 1, NULL, ?, 0)")
                    .param(record).update();
            v4.sql("INSERT INTO model (id, owner, version, created_at, updated_at, state_id) VALUES ('m1', NULL, 3, 0, 0, 's1')").update();
        }
        try (EmbeddedDatabase reopened = EmbeddedDatabase.open(dataDir.resolve("v4"))) {
            StoreFixtures.migrate(reopened.dataSource(), "sqlite");
            ModelState state = new JdbcModelStore(reopened.dataSource(), StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE)
                    .load("m1").orElseThrow().state();
            assertThat(state.optimizerJson()).isEqualTo(record);
            assertThat(state.optimizerState()).isNull();
        }
    }

    @Test
    void aBoolMaskSurvivesClosingAndReopeningTheDataFolder() {
        ModelState state = masked("masked", 2);
        store.create(new ModelRecord("m1", null, state), new Change("anonymous", "create", "created"));
        database.close();
        database = EmbeddedDatabase.open(dataDir);
        JdbcModelStore reopened = new JdbcModelStore(database.dataSource(), StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE);
        assertSameState(reopened.load("m1").orElseThrow().state(), state);
    }

    @Test
    void theSameFolderCannotBeOpenedTwice() {
        assertThatThrownBy(() -> EmbeddedDatabase.open(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is in use by another paramlab process")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        database.close();
        EmbeddedDatabase.open(dataDir).close();   // free again once closed
        database = EmbeddedDatabase.open(dataDir);
    }
}
