import java.nio.ByteBuffer; import java.nio.channels.FileChannel; import java.nio.file.*; import java.sql.*; import java.util.*;
/**
 * Storing alone: 256 chunks of 4 MiB from memory, as SQLite rows (64 KiB pages, WAL, a commit per 3 chunks,
 * checkpoint) or as files (temporary name, fsync, rename, folder fsync per 3), on one thread; prints wall and
 * the thread's CPU time. Usage: java -cp .:SQLITE_JDBC_JAR Writes {sqlite|sqlite-normal|files|files-fdatasync|files-nosync} DIR
 */
public class Writes {
  public static void main(String[] a) throws Exception {
    String mode = a[0]; Path dir = Path.of(a[1]); Files.createDirectories(dir);
    byte[] buf = new byte[4 << 20]; new Random(1).nextBytes(buf);
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Connection db = null;
    if (mode.startsWith("sqlite")) { db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("x.db")); try (Statement s = db.createStatement()) { s.execute("PRAGMA page_size=65536"); s.execute("PRAGMA journal_mode=WAL"); s.execute("PRAGMA synchronous=" + (mode.equals("sqlite-normal") ? "NORMAL" : "FULL")); s.execute("CREATE TABLE IF NOT EXISTS chunk (digest TEXT PRIMARY KEY, size INT, data BLOB)"); } db.setAutoCommit(false); }
    FileChannel dch = FileChannel.open(dir, StandardOpenOption.READ);
    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
    for (int i = 0; i < 256; i++) {
      buf[0] = (byte) i; buf[1] = (byte) (i >> 8); buf[2] = (byte) System.nanoTime();
      String name = "c" + i + "-" + System.nanoTime();
      if (mode.startsWith("files")) {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) { ch.write(ByteBuffer.wrap(buf)); if (!mode.equals("files-nosync")) ch.force(mode.equals("files")); }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        if (mode.equals("files") && i % 3 == 2) dch.force(true);
      } else {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO chunk VALUES (?, ?, ?)")) { p.setString(1, name); p.setInt(2, buf.length); p.setBytes(3, buf); p.executeUpdate(); }
        if (i % 3 == 2) db.commit();
      }
    }
    if (db != null) { db.commit(); db.setAutoCommit(true); try (Statement s = db.createStatement()) { s.execute("PRAGMA wal_checkpoint(TRUNCATE)"); } }
    System.out.printf("%-14s %.2f s wall %.2f s thread cpu%n", mode, (System.nanoTime() - t0) / 1e9, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
  }
}
