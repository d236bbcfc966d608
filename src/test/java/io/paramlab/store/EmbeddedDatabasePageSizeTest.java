package io.paramlab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new embedded database has 64 KiB pages (a 4 MiB chunk is 64 overflow pages, not 1024) and is in
 * WAL mode; a database made with SQLite's default 4 KiB pages opens as it is and keeps them.
 */
class EmbeddedDatabasePageSizeTest {
    static {
        StoreFixtures.quietLogs();
    }

    @TempDir
    Path dataDir;

    @Test
    void aNewDatabaseHas64KiBPagesInWalMode() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir);
             Connection c = db.dataSource().getConnection()) {
            assertThat(pragma(c, "page_size")).isEqualTo("65536");
            assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(c, "synchronous")).as("FULL").isEqualTo("2");
        }
        try (EmbeddedDatabase again = EmbeddedDatabase.open(dataDir);
             Connection c = again.dataSource().getConnection()) {
            assertThat(pragma(c, "page_size")).as("after a reopen").isEqualTo("65536");
        }
    }

    @Test
    void anExistingDatabaseKeepsItsPageSize() throws Exception {
        Path file = dataDir.resolve(EmbeddedDatabase.DATABASE_FILE);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE kept (x INTEGER)");
            s.execute("INSERT INTO kept VALUES (7)");
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir);
             Connection c = db.dataSource().getConnection()) {
            assertThat(pragma(c, "page_size")).isEqualTo("4096");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT x FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
