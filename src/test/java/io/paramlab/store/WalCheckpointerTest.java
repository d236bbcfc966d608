package io.paramlab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded database's write-ahead log is copied into the database file by the {@link WalCheckpointer}'s thread,
 * not by the connection that commits (its auto-checkpoint is only a fallback bound); once still, the log is emptied,
 * so it does not keep the size of the last large write;
 * and a checkpoint that fails is counted and logged, not lost.
 */
class WalCheckpointerTest {
    static {
        StoreFixtures.quietLogs();
    }

    private static final int BLOB = 4 << 20;

    @TempDir
    Path dataDir;

    @Test
    void aLargeWriteIsCopiedBesideTheCommitterAndTheLogEmptiedOnceStill() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir)) {
            Path wal = dataDir.resolve(EmbeddedDatabase.DATABASE_FILE + "-wal");
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(pragma(c, "wal_autocheckpoint")).as("the committer's own auto-checkpoint: the fallback bound only")
                        .isEqualTo(EmbeddedDatabase.FALLBACK_AUTOCHECKPOINT_PAGES);
                // 96 MiB in 4 MiB rows, one commit: below the fallback bound (256 MiB)
                write(c, 24, 24);
                long walAfterWrites = Files.size(wal);
                assertThat(walAfterWrites).as("the log holds what was written").isGreaterThan(24L * BLOB);
                assertThat(waitFor(() -> db.checkpointer().checkpoints() > 0)).as("the checkpointer copied the log").isTrue();
                assertThat(waitFor(() -> size(wal) == 0))
                        .as("the log emptied once still (it was %d bytes, %d now)", walAfterWrites, size(wal)).isTrue();
                assertThat(waitFor(() -> db.checkpointer().truncations() > 0)).as("by a TRUNCATE checkpoint").isTrue();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(length(data)) FROM blobs")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(24);
                    assertThat(rs.getLong(2)).isEqualTo(24L * BLOB);
                }
                assertThat(text(c, "integrity_check")).isEqualTo("ok");
            }
            assertThat(Files.size(dataDir.resolve(EmbeddedDatabase.DATABASE_FILE))).as("copied into the database")
                    .isGreaterThan(24L * BLOB);
            assertThat(db.checkpointer().failures()).isZero();
        }
        try (EmbeddedDatabase again = EmbeddedDatabase.open(dataDir); Connection c = again.dataSource().getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM blobs")) {
            rs.next();
            assertThat(rs.getInt(1)).as("after a reopen").isEqualTo(24);
        }
    }

    @Test
    void aReaderOpenOnAnOlderSnapshotKeepsTheLogUntilItEnds() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir); Connection c = db.dataSource().getConnection()) {
            Path wal = dataDir.resolve(EmbeddedDatabase.DATABASE_FILE + "-wal");
            write(c, 1, 1);
            try (Connection reader = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(EmbeddedDatabase.DATABASE_FILE))) {
                reader.setAutoCommit(false);
                try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM blobs")) {
                    rs.next();   // the reader's snapshot: one row
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
                write(c, 24, 24);
                long tried = db.checkpointer().checkpoints();
                Thread.sleep(2 * WalCheckpointer.IDLE_MILLIS + 500);   // still long enough for a TRUNCATE, were it possible
                assertThat(db.checkpointer().checkpoints() - tried).as("tries while the reader holds the log: a second apart, not a busy loop")
                        .isLessThanOrEqualTo(8);
                assertThat(size(wal)).as("the log is kept while a reader may need its older snapshot")
                        .isGreaterThan(24L * BLOB);
                try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM blobs")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the reader's snapshot is unchanged").isEqualTo(1);
                }
                reader.commit();
            }
            assertThat(waitFor(() -> size(wal) == 0)).as("emptied once the reader ended").isTrue();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM blobs")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(25);
            }
        }
    }

    @Test
    void aFailingCheckpointIsCountedAndTheCommitsGoOn() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.open(dataDir); Connection c = db.dataSource().getConnection()) {
            db.checkpointer().connection().close();   // its next checkpoint throws
            write(c, 5, 1);   // 20 MiB: past BATCH_BYTES, so a checkpoint is tried at once
            assertThat(waitFor(() -> db.checkpointer().failures() > 0)).as("the failure is counted").isTrue();
            assertThat(db.checkpointer().lastFailure()).isInstanceOf(java.sql.SQLException.class);
            write(c, 1, 1);   // the committing connection is not affected
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM blobs")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(6);
            }
        }
    }

    /** {@code rows} rows of 4 MiB of random bytes, a commit every {@code perCommit}. */
    private static void write(Connection c, int rows, int perCommit) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, data BLOB)");
        }
        byte[] data = new byte[BLOB];
        Random random = new Random(rows);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO blobs (data) VALUES (?)")) {
            for (int i = 0; i < rows; i++) {
                random.nextBytes(data);
                p.setBytes(1, data);
                p.executeUpdate();
                if ((i + 1) % perCommit == 0) {
                    c.commit();
                }
            }
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static boolean waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private static int pragma(Connection c, String name) throws Exception {
        return Integer.parseInt(text(c, name));
    }

    private static String text(Connection c, String name) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
