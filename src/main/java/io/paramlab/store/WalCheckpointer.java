package io.paramlab.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies the embedded database's write-ahead log into the database file on a thread and connection of its own,
 * so that a thread that commits (an upload's storing thread above all) only appends to the log and fsyncs it,
 * instead of also copying every page a second time into the database file each time the log passes SQLite's
 * auto-checkpoint size. Every {@link #POLL_MILLIS} ms it reads how many frames the log holds and how many are
 * copied (the wal-index header in {@code paramlab.db-shm}, SQLite's documented format); it runs a
 * {@code PASSIVE} checkpoint (it never blocks a writer or a reader) as soon as {@link #BATCH_BYTES} wait,
 * or once the log has been still for {@link #IDLE_MILLIS} ms; and once everything is copied and the log
 * still, a {@code TRUNCATE} checkpoint empties the file (it gives up at once, to come back a second later, when a
 * writer or a reader is using the log; a pass that could copy nothing, a reader holding an older snapshot, also
 * waits a second), so the log does not keep the size of the last large upload.
 * Durability is SQLite's own: a commit is on disk when its log frames are fsynced, whoever copies them later;
 * the checkpoint fsyncs the log before copying and the database before the log may be reused
 * ({@code synchronous=FULL} on this connection too). Should this thread fail or fall behind, the committing
 * connection's own auto-checkpoint ({@link EmbeddedDatabase#FALLBACK_AUTOCHECKPOINT_PAGES}) still bounds the log;
 * a failure is logged and counted ({@link #failures()}).
 */
final class WalCheckpointer implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WalCheckpointer.class);
    static final long POLL_MILLIS = 10;
    static final long IDLE_MILLIS = 1000;
    static final long BATCH_BYTES = 16L << 20;
    /** The wal-index header: mxFrame at 16, its second copy at 48; the checkpoint info's nBackfill at 96. */
    private static final int HEADER_BYTES = 48;
    private static final int BACKFILL_OFFSET = 96;

    private final Path shm;
    private final Path wal;
    private final Connection connection;
    private final long pageSize;
    private final Thread thread;
    private final ByteBuffer header = ByteBuffer.allocate(BACKFILL_OFFSET + 4).order(ByteOrder.nativeOrder());
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong truncations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;
    private volatile Exception lastFailure;
    private FileChannel shmChannel;

    private WalCheckpointer(Path database, Connection connection, long pageSize) {
        this.shm = Path.of(database + "-shm");
        this.wal = Path.of(database + "-wal");
        this.connection = connection;
        this.pageSize = pageSize;
        this.thread = new Thread(this::run, "sqlite-checkpoint");
        this.thread.setDaemon(true);
    }

    /** Opens its connection to {@code database} (already in WAL mode) and starts its thread. */
    static WalCheckpointer start(Path database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("synchronous", "FULL");
        properties.setProperty("busy_timeout", "0");   // a TRUNCATE that finds the log in use comes back later
        Connection connection = new org.sqlite.JDBC().connect("jdbc:sqlite:" + database, properties);
        try {
            long pageSize;
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                pageSize = rs.getLong(1);
            }
            WalCheckpointer checkpointer = new WalCheckpointer(database, connection, pageSize);
            checkpointer.thread.start();
            return checkpointer;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void run() {
        long lastFrames = -1;
        long stillSince = System.nanoTime();
        boolean truncated = false;
        while (!closed) {
            long pause = POLL_MILLIS;
            try {
                long[] frames = frames();   // {in the log, copied}, or null: not readable now
                long now = System.nanoTime();
                if (frames != null) {
                    if (frames[0] != lastFrames) {
                        lastFrames = frames[0];
                        stillSince = now;
                        truncated = false;
                    }
                    long waiting = frames[0] - frames[1];
                    boolean still = now - stillSince >= IDLE_MILLIS * 1_000_000;
                    if (waiting * pageSize >= BATCH_BYTES || (waiting > 0 && still)) {
                        if (checkpoint("PASSIVE")[2] > frames[1]) {
                            continue;   // it copied some: more may have come meanwhile
                        }
                        pause = IDLE_MILLIS;   // none copied: a reader holds an older snapshot; not a busy loop meanwhile
                    }
                    if (still && !truncated && Files.size(wal) > 0) {
                        truncated = checkpoint("TRUNCATE")[0] == 0;
                        if (truncated) {
                            truncations.incrementAndGet();
                        } else {
                            pause = IDLE_MILLIS;   // in use (a reader, a writer): again in a second
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // no log yet (or the last connection removed it): nothing to copy
            } catch (Exception e) {
                failed(e);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            }
        }
    }

    /** Runs one checkpoint; answers SQLite's {busy flag, frames in the log, frames copied}. */
    private long[] checkpoint(String mode) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            checkpoints.incrementAndGet();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    private void failed(Exception e) {
        long n = failures.incrementAndGet();
        lastFailure = e;
        if (n == 1 || Long.bitCount(n) == 1) {   // the 1st, 2nd, 4th, 8th... of a run of failures
            long walBytes;
            try {
                walBytes = Files.size(wal);
            } catch (IOException again) {
                walBytes = -1;
            }
            log.error("checkpointing the write-ahead log {} failed ({} failure(s) so far; the log holds {} bytes; the committing"
                    + " connection's auto-checkpoint bounds it meanwhile): {}", wal, n, walBytes, e.toString(), e);
        }
        try {
            Thread.sleep(IDLE_MILLIS);   // not a busy loop of failures
        } catch (InterruptedException ignored) {
            // closing
        }
    }

    /** {mxFrame, nBackfill} from the wal-index, read twice as SQLite does (a torn read answers null). */
    private long[] frames() throws IOException {
        if (shmChannel == null) {
            shmChannel = FileChannel.open(shm, StandardOpenOption.READ);
        }
        header.clear();
        while (header.hasRemaining()) {
            if (shmChannel.read(header, header.position()) < 0) {
                return null;   // not initialized yet
            }
        }
        for (int i = 0; i < HEADER_BYTES; i += 4) {
            if (header.getInt(i) != header.getInt(HEADER_BYTES + i)) {
                return null;
            }
        }
        if (header.get(12) == 0) {   // isInit
            return null;
        }
        return new long[] {Integer.toUnsignedLong(header.getInt(16)), Integer.toUnsignedLong(header.getInt(BACKFILL_OFFSET))};
    }

    long checkpoints() {
        return checkpoints.get();
    }

    long truncations() {
        return truncations.get();
    }

    /** How many passes failed since the start; {@link #lastFailure()} is the last one's exception. */
    long failures() {
        return failures.get();
    }

    Exception lastFailure() {
        return lastFailure;
    }

    /** The connection the checkpoints run on (tests close it under the thread to see a failure reported). */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        boolean interrupted = Threads.joinUninterruptibly(thread);
        try {
            if (shmChannel != null) {
                shmChannel.close();
            }
            connection.close();
        } catch (IOException | SQLException e) {
            log.warn("closing the checkpoint connection: {}", e.toString());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
