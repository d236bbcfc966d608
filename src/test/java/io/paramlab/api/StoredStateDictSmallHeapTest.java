package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stored state dicts stream (API.md, "State dicts without a model"): a bfloat16 safetensors file
 * larger than the heap goes into a service started with -Xmx256m and comes back with the same
 * sha256; a fine-tuned copy with one tensor changed grows the store on disk by about that tensor;
 * and a restart keeps them.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StoredStateDictSmallHeapTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final long TENSOR_ELEMENTS = 48L << 20;   // 3 bfloat16 tensors of 96 MiB: a 288 MiB file
    static final int DEDUP_ELEMENTS = 6 << 20;       // 3 float32 tensors of 24 MiB

    @Test
    void aFileLargerThanTheHeapStreamsInAndOutAndDedupKeepsOneCopy() throws Exception {
        Path data = Files.createTempDirectory("paramlab-stored-state-dicts");
        Path big = Files.createTempFile("paramlab-big", ".safetensors");
        Path base = Files.createTempFile("paramlab-base", ".safetensors");
        Path tuned = Files.createTempFile("paramlab-tuned", ".safetensors");
        Path back = Files.createTempFile("paramlab-back", ".safetensors");
        List<String> arguments = List.of("--paramlab.data-dir=" + data, "--paramlab.limits.max-state-dict-bytes=2GB");
        try {
            String bigSha = write(big, "BF16", 2, TENSOR_ELEMENTS, 0, -1);
            String baseSha = write(base, "F32", 4, DEDUP_ELEMENTS, 100, -1);   // other seeds: no chunk in common with big
            write(tuned, "F32", 4, DEDUP_ELEMENTS, 100, 1);
            String bigId;
            String baseId;
            try (ServiceProcess service = ServiceProcess.start("256m", arguments)) {
                long t0 = System.nanoTime();
                JsonNode created = upload(service, big);
                bigId = created.get("id").stringValue();
                assertThat(created.get("dtypes").get("bfloat16").longValue()).isEqualTo(3 * TENSOR_ELEMENTS);
                long t1 = System.nanoTime();
                assertThat(download(service, bigId, back)).as("sha256 of the download").isEqualTo(bigSha);
                long t2 = System.nanoTime();
                System.out.printf("288 MiB under -Xmx256m: upload %.0f MB/s, download %.0f MB/s%n",
                        Files.size(big) / 1e6 / ((t1 - t0) / 1e9), Files.size(big) / 1e6 / ((t2 - t1) / 1e9));

                long before = storeBytes(data);
                baseId = upload(service, base).get("id").stringValue();
                long afterBase = storeBytes(data);
                upload(service, tuned);
                long afterTuned = storeBytes(data);
                long tensorBytes = 4L * DEDUP_ELEMENTS;
                assertThat(afterBase - before).as("the base costs its three tensors").isGreaterThan(3 * tensorBytes * 9 / 10);
                assertThat(afterTuned - afterBase).as("the tuned copy costs about its one changed tensor")
                        .isBetween(tensorBytes * 9 / 10, tensorBytes * 13 / 10);
                assertThat(service.isAlive()).isTrue();
            }
            try (ServiceProcess service = ServiceProcess.start("256m", arguments)) {
                assertThat(download(service, baseId, back)).as("after a restart").isEqualTo(baseSha);
                HttpResponse<String> summary = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts/" + bigId))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(summary.statusCode()).isEqualTo(200);
            }
        } finally {
            for (Path p : List.of(big, base, tuned, back)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A 1 KB torch.save file whose view is 10^8 times its storage (a stride of 0, as {@code expand()}
     * makes; scripts/make_statedict_files.py) stores 400 MB of 0.5 under -Xmx256m: the view streams into
     * the store, where it was gathered into one 400 MB array, unbudgeted, and the service ended on an
     * OutOfMemoryError.
     */
    @Test
    void aViewFarLargerThanItsStorageStreamsIn() throws Exception {
        Path data = Files.createTempDirectory("paramlab-expanded-view");
        Path file = Files.createTempFile("paramlab-expanded", ".pt");
        try (ServiceProcess service = ServiceProcess.start("256m", List.of("--paramlab.data-dir=" + data))) {
            Files.write(file, StoredStateDictHttpTest.resource("zero_stride_view.pt"));
            JsonNode created = upload(service, file);
            assertThat(created.get("dtypes").get("float32").longValue()).isEqualTo(100_000_003L);
            String id = created.get("id").stringValue();
            HttpResponse<String> head = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts/" + id
                    + "/tensors/expanded?slice=99999998:")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).as(head.body()).isEqualTo(200);
            assertThat(HttpApi.JSON.readTree(head.body()).get("data").toString()).isEqualTo("[0.5,0.5]");
            HttpResponse<String> small = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts/" + id
                    + "/tensors/small")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(HttpApi.JSON.readTree(small.body()).get("data").toString()).isEqualTo("[0.0,1.0,2.0]");
            assertThat(service.isAlive()).isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A torch.save file of 320 MB whose one storage two views share ({@code whole} and {@code tail =
     * whole[1:]}) goes into a service of -Xmx256m: the storage was read into one array, unbudgeted, and
     * the service ended on an OutOfMemoryError; a large one is now spooled to a file and its views
     * gathered from there. The pickle is PyTorch 1.13's for
     * {@code torch.save(OrderedDict([("whole", t), ("tail", t[1:])]), f)} with its sizes written for n elements.
     */
    @Test
    void aLargeStorageSharedByTwoViewsDoesNotTakeTheHeap() throws Exception {
        int n = 80_000_000;
        Path data = Files.createTempDirectory("paramlab-shared-storage");
        Path file = Files.createTempFile("paramlab-shared", ".pt");
        try {
            try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
                zip.setLevel(1);
                zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
                zip.write(twoViewsPickle(n));
                zip.closeEntry();
                zip.putNextEntry(new java.util.zip.ZipEntry("archive/data/0"));
                byte[] block = new byte[1 << 20];
                ByteBuffer floats = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < block.length / 4; i++) floats.putFloat(i % 7);   // element i is i % 7 (1 MiB is 262144 elements)
                for (long left = 4L * n; left > 0; left -= block.length) zip.write(block, 0, (int) Math.min(block.length, left));
                zip.closeEntry();
                zip.putNextEntry(new java.util.zip.ZipEntry("archive/version"));
                zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
                zip.closeEntry();
            }
            try (ServiceProcess service = ServiceProcess.start("256m", List.of("--paramlab.data-dir=" + data))) {
                JsonNode created = upload(service, file);
                assertThat(created.get("dtypes").get("float32").longValue()).isEqualTo(2L * n - 1);
                String id = created.get("id").stringValue();
                HttpResponse<String> tail = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts/" + id
                        + "/tensors/tail?slice=" + (n - 4) + ":")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(tail.statusCode()).as(tail.body()).isEqualTo(200);
                // tail[i] is whole[i + 1], whose value is (i + 1) % 262144 % 7
                long first = (n - 4 + 1) % 262144;
                assertThat(HttpApi.JSON.readTree(tail.body()).get("data").toString()).isEqualTo("[" + (double) (first % 7) + ","
                        + (double) ((first + 1) % 7) + "," + (double) ((first + 2) % 7) + "]");
                assertThat(service.isAlive()).isTrue();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** PyTorch 1.13's pickle of {@code OrderedDict([("whole", t), ("tail", t[1:])])} for a float32 t of n elements. */
    static byte[] twoViewsPickle(int n) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.function.Consumer<String> raw = text -> out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        java.util.function.IntConsumer binint = v -> {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        };
        raw.accept("\u0080\u0002ccollections\nOrderedDict\nq\u0000)Rq\u0001(X\u0005\u0000\u0000\u0000wholeq\u0002ctorch._utils\n"
                + "_rebuild_tensor_v2\nq\u0003((X\u0007\u0000\u0000\u0000storageq\u0004ctorch\nFloatStorage\nq\u0005"
                + "X\u0001\u0000\u0000\u00000q\u0006X\u0003\u0000\u0000\u0000cpuq\u0007");
        binint.accept(n);
        raw.accept("tq\bQK\u0000");
        binint.accept(n);
        raw.accept("\u0085q\tK\u0001\u0085q\n\u0089h\u0000)Rq\u000btq\fRq\rX\u0004\u0000\u0000\u0000tailq\u000eh\u0003((h\u0004h\u0005h\u0006h\u0007");
        binint.accept(n);
        raw.accept("tq\u000fQK\u0001");
        binint.accept(n - 1);
        raw.accept("\u0085q\u0010K\u0001\u0085q\u0011\u0089h\u0000)Rq\u0012tq\u0013Rq\u0014u.");
        return out.toByteArray();
    }

    /**
     * The embedded store's files: the database and its write-ahead log, once the log is copied into the database and
     * emptied (a thread of the store's own does it about a second after the last write; the log holds a second copy
     * of what it has not copied yet).
     */
    static long storeBytes(Path data) throws IOException, InterruptedException {
        Path wal = data.resolve("paramlab.db-wal");
        for (long deadline = System.nanoTime() + 30_000_000_000L; Files.exists(wal) && Files.size(wal) > 0
                && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
        }
        long bytes = 0;
        for (String name : List.of("paramlab.db", "paramlab.db-wal")) {
            Path file = data.resolve(name);
            bytes += Files.exists(file) ? Files.size(file) : 0;
        }
        return bytes;
    }

    static JsonNode upload(ServiceProcess service, Path file) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts"))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s\n%s", answer.body(), service.tail()).isEqualTo(201);
        return HttpApi.JSON.readTree(answer.body());
    }

    static String download(ServiceProcess service, String id, Path file) throws Exception {
        HttpResponse<Path> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(service.base() + "/state-dicts/" + id
                + "?format=safetensors")).build(), HttpResponse.BodyHandlers.ofFile(file, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING));
        assertThat(answer.statusCode()).as(service.tail()).isEqualTo(200);
        return sha256(file);
    }

    /**
     * A safetensors file of three tensors {@code a}, {@code b}, {@code c} of {@code elements} each,
     * pseudo-random bytes from {@code seed}; {@code changed} (or -1) is the tensor drawn from another seed.
     */
    static String write(Path file, String dtype, int size, long elements, int seed, int changed) throws Exception {
        StringBuilder header = new StringBuilder("{");
        long bytes = elements * size;
        for (int i = 0; i < 3; i++) {
            header.append(i == 0 ? "" : ",").append("\"").append((char) ('a' + i)).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":[").append(elements).append("],\"data_offsets\":[").append(i * bytes).append(',')
                    .append((i + 1) * bytes).append("]}");
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            byte[] prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array();
            out.write(prefix);
            out.write(json);
            sha.update(prefix);
            sha.update(json);
            byte[] buf = new byte[1 << 20];
            for (int i = 0; i < 3; i++) {
                SplittableRandom random = new SplittableRandom(seed + (i == changed ? 1000 + i : i));
                for (long done = 0; done < bytes; done += buf.length) {
                    int n = (int) Math.min(buf.length, bytes - done);
                    for (int k = 0; k < n; k += 8) {
                        long v = random.nextLong();
                        for (int j = 0; j < 8 && k + j < n; j++) {
                            buf[k + j] = (byte) (v >>> (8 * j));
                        }
                    }
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
