package io.paramlab.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;

/** The upload pipeline on the embedded SQLite store: one connection, shared by the two threads in turn. */
class SqliteStateDictUploadPipelineTest extends StateDictUploadPipelineContract {
    @TempDir
    Path dataDir;
    EmbeddedDatabase database;

    @Override
    protected DataSource emptyDatabase() {
        database = EmbeddedDatabase.open(dataDir);
        StoreFixtures.migrate(database.dataSource(), "sqlite");
        return database.dataSource();
    }

    @AfterEach
    void close() {
        database.close();
    }
}
