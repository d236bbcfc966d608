package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #21, the upload path of POST /state-dicts: a file streams into the store without holding the
 * database while the client sends (another write answers at once beside a slow upload), and an
 * Idempotency-Key on a file upload is honoured (a retry answers the same state dict and stores nothing).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StateDictUploadHttpTest {
    static final String OCTET = "application/octet-stream";
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    /** A safetensors file of one float32 tensor {@code w} of {@code n} values i * 0.5. */
    static byte[] safetensors(int n, float offset) {
        String header = "{\"w\": {\"dtype\": \"F32\", \"shape\": [" + n + "], \"data_offsets\": [0, " + 4L * n + "]}}";
        while (header.length() % 8 != 0) header += " ";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (int i = 0; i < n; i++) out.putFloat(i * 0.5f + offset);
        return out.array();
    }

    /** The file's first half, then (once {@code sentHalf} is counted down) a wait for {@code goOn}, then the rest. */
    static InputStream halfThenWait(byte[] file, CountDownLatch sentHalf, CountDownLatch goOn) {
        return new InputStream() {
            int at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == file.length / 2) {
                    sentHalf.countDown();
                    try {
                        goOn.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int end = at < file.length / 2 ? file.length / 2 : file.length;
                if (at >= end) return -1;
                int n = Math.min(len, end - at);
                System.arraycopy(file, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private HttpResponse<String> upload(byte[] file, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/state-dicts?name=w"))
                .header("Content-Type", OCTET).POST(HttpRequest.BodyPublishers.ofByteArray(file));
        if (key != null) request.header("Idempotency-Key", key);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int stateDictCount() {
        return api.get("/state-dicts?limit=1000").body().size();
    }

    @Test
    void aSlowUploadDoesNotHoldTheStoreFromOtherWrites() throws Exception {
        byte[] file = safetensors(1_000_000, 0);   // 4 MB
        CountDownLatch sentHalf = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        InputStream slow = halfThenWait(file, sentHalf, goOn);
        CompletableFuture<HttpResponse<String>> uploading = CLIENT.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/state-dicts?name=slow")).header("Content-Type", OCTET)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> slow)).build(), HttpResponse.BodyHandlers.ofString());
        try {
            assertThat(sentHalf.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(500);   // the service has read what was sent and waits for the rest
            long t0 = System.nanoTime();
            HttpApi.Answer created = CompletableFuture.supplyAsync(() -> api.post("/models",
                    java.util.Map.of("model", java.util.Map.of("type", "Linear", "in_features", 2, "out_features", 2))))
                    .get(20, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(created.status()).isEqualTo(201);
            assertThat(millis).as("a write beside a slow upload").isLessThan(5_000);
            assertThat(uploading).isNotDone();
        } finally {
            goOn.countDown();
        }
        HttpResponse<String> done = uploading.get(60, TimeUnit.SECONDS);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
        String id = HttpApi.JSON.readTree(done.body()).get("id").stringValue();
        assertThat(api.getBytes("/state-dicts/" + id + "?format=safetensors", null).body()).isEqualTo(file);
    }

    @Test
    void anIdempotencyKeyOnAFileUploadAnswersTheSameStateDictAndStoresNothingTwice() throws Exception {
        byte[] file = safetensors(100_000, 1);
        int before = stateDictCount();
        HttpResponse<String> first = upload(file, "upload-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        JsonNode stored = HttpApi.JSON.readTree(first.body());
        HttpResponse<String> again = upload(file, "upload-1");
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(again.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
        assertThat(HttpApi.JSON.readTree(again.body())).isEqualTo(stored);
        assertThat(stateDictCount()).isEqualTo(before + 1);

        // another file under the same key: 422, nothing stored
        HttpResponse<String> other = upload(safetensors(100_000, 2), "upload-1");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.body()).contains("idempotency-key-reused");
        assertThat(stateDictCount()).isEqualTo(before + 1);
        // without a key, the same file is a second state dict; a key of the wrong length is a 400
        assertThat(upload(file, null).statusCode()).isEqualTo(201);
        assertThat(stateDictCount()).isEqualTo(before + 2);
        assertThat(upload(file, "k".repeat(256)).statusCode()).isEqualTo(400);
        assertThat(stateDictCount()).isEqualTo(before + 2);
    }
}
