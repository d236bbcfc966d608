package io.paramlab.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The embedded store: {@code paramlab.db} (SQLite) in the data folder, which this process locks
 * ({@code paramlab.lock}) for as long as it is open, so a second process on the same folder
 * refuses to start instead of sharing the file. SQLite runs in WAL mode with
 * {@code synchronous=FULL} (a commit is on disk when it returns) over a single connection: every
 * statement of the process is serialized in the JVM, so "database is locked" cannot happen. A new
 * database gets 64 KiB pages ({@link #PAGE_SIZE}): a 4 MiB tensor chunk is then 64 overflow pages, not
 * 1024, which is what a streamed state dict's upload and download spend their time on; a database
 * made with another page size keeps it (SQLite fixes it when the file is created). The write-ahead log is
 * copied into the database by a {@link WalCheckpointer}, beside the connection that commits.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String DATABASE_FILE = "paramlab.db";
    public static final String LOCK_FILE = "paramlab.lock";
    /** The page size of a new database: SQLite's largest, as its documentation advises for large blobs. */
    public static final int PAGE_SIZE = 65536;
    /**
     * The committing connection's own auto-checkpoint, a bound for when the {@link WalCheckpointer} fails or falls
     * behind: 4096 pages (256 MiB of 64 KiB pages) in the log at a commit, and that commit copies them itself.
     */
    static final int FALLBACK_AUTOCHECKPOINT_PAGES = 4096;

    private final Path dataDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final HikariDataSource dataSource;
    private final WalCheckpointer checkpointer;

    private EmbeddedDatabase(Path dataDir, FileChannel lockChannel, FileLock lock, HikariDataSource dataSource,
                             WalCheckpointer checkpointer) {
        this.dataDir = dataDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.dataSource = dataSource;
        this.checkpointer = checkpointer;
    }

    /**
     * Locks {@code dataDir} (created if missing) and opens its database.
     *
     * @throws IllegalStateException when another process (or another store of this one) holds the folder
     */
    public static EmbeddedDatabase open(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(dir.resolve(LOCK_FILE)), StandardCharsets.UTF_8).trim();
                channel.close();
                throw new IllegalStateException("the data folder " + dir + " is in use by another paramlab process"
                        + (holder.isEmpty() ? "" : " (" + holder + ")")
                        + "; the embedded store serves one process: stop the other one, or give this one its own"
                        + " PARAMLAB_DATA_DIR, or share a PostgreSQL store (SPRING_DATASOURCE_URL)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            HikariDataSource dataSource = sqlite(dir.resolve(DATABASE_FILE));
            WalCheckpointer checkpointer;
            try {
                checkpointer = WalCheckpointer.start(dir.resolve(DATABASE_FILE));
            } catch (java.sql.SQLException | RuntimeException e) {
                dataSource.close();
                throw new IOException("cannot open the checkpoint connection: " + e.getMessage(), e);
            }
            return new EmbeddedDatabase(dir, channel, lock, dataSource, checkpointer);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open the data folder " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static HikariDataSource sqlite(Path file) throws IOException {
        createWithPageSize(file);
        HikariConfig config = new HikariConfig();
        config.setPoolName("paramlab-sqlite");
        config.setJdbcUrl("jdbc:sqlite:" + file);
        config.setMaximumPoolSize(1);   // the single connection: SQLite has one writer, the JVM queues the rest here
        config.setMinimumIdle(1);
        config.setConnectionTimeout(120_000);   // a caller may wait behind a large model's write
        config.setMaxLifetime(0);
        config.setIdleTimeout(0);
        // sqlite-jdbc applies these pragmas on each new connection
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "FULL");
        config.addDataSourceProperty("busy_timeout", "30000");
        config.addDataSourceProperty("foreign_keys", "true");
        // the WalCheckpointer copies the log into the database; this one only when the log passes the fallback bound
        config.addDataSourceProperty("wal_autocheckpoint", Integer.toString(FALLBACK_AUTOCHECKPOINT_PAGES));
        return new HikariDataSource(config);
    }

    /**
     * A database file that does not exist yet is made with {@link #PAGE_SIZE} pages, before the pool's
     * connection sets WAL mode (after which the page size cannot change).
     */
    private static void createWithPageSize(Path file) throws IOException {
        if (Files.exists(file) && Files.size(file) > 0) {
            return;
        }
        try (java.sql.Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, new java.util.Properties());
             java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size = " + PAGE_SIZE);
            s.execute("PRAGMA journal_mode = WAL");   // writes the file's header: the page size is now the file's
        } catch (java.sql.SQLException e) {
            throw new IOException("cannot create the database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The thread that copies the write-ahead log into the database file. */
    WalCheckpointer checkpointer() {
        return checkpointer;
    }

    @Override
    public void close() {
        checkpointer.close();   // first: the pool's last connection then checkpoints what is left and removes the log
        dataSource.close();
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: the lock goes with the process at worst
            }
        }
    }
}
