import java.io.*;
import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.security.MessageDigest;
import java.sql.*;
import java.util.HexFormat;

/*
 * Usage (docs/state-dicts.md, "Speed"): javac -d /tmp/floors Floors.java, then for MODE in recv hash sqlite files:
 *   java -Xmx512m -cp /tmp/floors:SQLITE_JDBC_JAR Floors MODE 18393 /tmp/floors/d-MODE &
 *   curl -s -o /dev/null -H 'Expect:' -X POST -T big.safetensors http://127.0.0.1:18393/
 * (SQLITE_JDBC_JAR: the sqlite-jdbc jar of ~/.m2). Modes: recv, hash, files, files-late (one fsync pass at the end),
 * sqlite, sqlite-normal. It answers after the body is stored and prints wall and process CPU time.
 */
/** Floors of an upload: receive over loopback HTTP (curl -T), + SHA-256 per 4 MiB chunk, + a file per chunk (fsync, rename, dir fsync), + SQLite blob per chunk. */
public class Floors {
    static long cpuNanos() throws IOException {
        String[] f = Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }
    public static void main(String[] a) throws Exception {
        String mode = a[0]; int port = Integer.parseInt(a[1]); Path dir = Path.of(a[2]);
        Files.createDirectories(dir);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        System.err.println("provider " + sha.getProvider());
        Connection db = null;
        if (mode.contains("sqlite")) {
            db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("x.db"));
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA page_size=65536"); s.execute("PRAGMA journal_mode=WAL"); s.execute("PRAGMA synchronous=FULL");
                if (mode.contains("normal")) s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS chunk (digest TEXT PRIMARY KEY, size INT, data BLOB)");
            }
            db.setAutoCommit(false);
        }
        FileChannel dirCh = FileChannel.open(dir, StandardOpenOption.READ);
        try (ServerSocket ss = new ServerSocket(port, 5, InetAddress.getLoopbackAddress())) {
            System.out.println("ready");
            for (;;) {
                try (Socket s = ss.accept()) {
                    InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                    StringBuilder h = new StringBuilder();
                    while (!h.toString().endsWith("\r\n\r\n")) h.append((char) in.read());
                    long len = 0;
                    for (String line : h.toString().split("\r\n")) if (line.toLowerCase().startsWith("content-length:")) len = Long.parseLong(line.substring(15).trim());
                    long c0 = cpuNanos(), t0 = System.nanoTime();
                    byte[] buf = new byte[4 << 20];
                    long got = 0; int seq = 0;
                    while (got < len) {
                        int want = (int) Math.min(buf.length, len - got), filled = 0;
                        while (filled < want) { int n = in.read(buf, filled, want - filled); if (n < 0) throw new EOFException(); filled += n; }
                        got += filled;
                        String digest = null;
                        if (!mode.equals("recv")) { sha.update(buf, 0, filled); digest = HexFormat.of().formatHex(sha.digest()); }
                        if (mode.contains("files")) {
                            Path tmp = dir.resolve(digest + ".tmp");
                            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                                ByteBuffer b = ByteBuffer.wrap(buf, 0, filled); while (b.hasRemaining()) ch.write(b);
                                if (!mode.contains("late")) ch.force(true);
                            }
                            Files.move(tmp, dir.resolve(digest), StandardCopyOption.ATOMIC_MOVE);
                            if (!mode.contains("late")) dirCh.force(true);
                        }
                        if (mode.contains("sqlite")) {
                            try (PreparedStatement p = db.prepareStatement("INSERT INTO chunk VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                                p.setString(1, digest); p.setInt(2, filled); p.setBytes(3, filled == buf.length ? buf : java.util.Arrays.copyOf(buf, filled)); p.executeUpdate();
                            }
                            db.commit();
                        }
                        seq++;
                    }
                    if (mode.contains("late")) { try (var l = Files.list(dir)) { for (Path q : l.toList()) try (FileChannel ch = FileChannel.open(q, StandardOpenOption.WRITE)) { ch.force(true); } } dirCh.force(true); }
                    if (mode.contains("sqlite")) { db.setAutoCommit(true); try (Statement st = db.createStatement()) { st.execute("PRAGMA wal_checkpoint(TRUNCATE)"); } db.setAutoCommit(false); }
                    long t1 = System.nanoTime(), c1 = cpuNanos();
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes());
                    System.out.printf("%s %d bytes %d chunks: %.2f s wall, %.2f s cpu, %.0f MB/s%n", mode, got, seq, (t1 - t0) / 1e9, (c1 - c0) / 1e9, got / 1e6 / ((t1 - t0) / 1e9));
                    // clean for the next run
                    if (mode.contains("sqlite")) { try (Statement st = db.createStatement()) { st.execute("DELETE FROM chunk"); } db.commit(); db.setAutoCommit(true); try (Statement st = db.createStatement()) { st.execute("PRAGMA wal_checkpoint(TRUNCATE)"); } db.setAutoCommit(false); }
                    if (mode.contains("files")) try (var l = Files.list(dir)) { l.filter(p -> !p.getFileName().toString().startsWith("x.db")).forEach(p -> p.toFile().delete()); }
                }
            }
        }
    }
}
