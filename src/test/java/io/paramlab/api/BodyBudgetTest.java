package io.paramlab.api;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.paramlab.api.BadInputTest.NET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A JSON tensor's arrays are charged to the in-flight body budget before they are allocated: a
 * stated shape once, exactly; growing data in blocks, given back once copied to the exact array.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "paramlab.limits.max-inflight-body-size=1MB")
class BodyBudgetTest {
    static final JsonMapper JSON = JsonMapper.builder().addModule(TensorJson.module()).build();

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    private static String list(int n, String value) {
        return IntStream.range(0, n).mapToObj(i -> value).collect(Collectors.joining(",", "[", "]"));
    }

    @Test
    void aShapeStatedFirstIsReservedOnceExactly() {
        try (BodyBudget.Account account = BodyBudget.open(Long.MAX_VALUE, 1 << 20)) {
            long before = BodyBudget.inFlight();
            TensorData t = JSON.readValue("{\"shape\": [3, 100000], \"data\": " + list(300_000, "1") + "}", TensorData.class);
            assertThat(t.floats()).hasSize(300_000).containsOnly(1f);
            assertThat(BodyBudget.inFlight() - before).isEqualTo(4L * 300_000);
        }
    }

    @Test
    void growingDataKeepsOnlyTheExactArrayReserved() {
        for (int n : new int[] {0, 1, 16, 17, 65_536, 65_537, 300_001}) {
            try (BodyBudget.Account account = BodyBudget.open(Long.MAX_VALUE, 1 << 20)) {
                long before = BodyBudget.inFlight();
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) expected[i] = i % 1000 + 0.5f;
                String data = IntStream.range(0, n).mapToObj(i -> String.valueOf(i % 1000 + 0.5f)).collect(Collectors.joining(",", "[", "]"));
                TensorData t = JSON.readValue(data, TensorData.class);
                assertThat(Arrays.equals(t.floats(), expected)).as("%d values", n).isTrue();
                assertThat(BodyBudget.inFlight() - before).as("%d values", n).isEqualTo(4L * n);
            }
        }
    }

    @Test
    void largeIntegersSwitchToLongsAndBackWithoutLosingValues() {
        try (BodyBudget.Account account = BodyBudget.open(Long.MAX_VALUE, 1 << 20)) {
            String ints = list(70_000, "3").replace("]", ", 1099511627776]");
            TensorData longs = JSON.readValue("{\"dtype\": \"int64\", \"data\": " + ints + "}", TensorData.class);
            assertThat(longs.longs()).hasSize(70_001).startsWith(3L, 3L).endsWith(3L, 1L << 40);
            TensorData floats = JSON.readValue(ints.replace("]", ", 0.5]"), TensorData.class);
            assertThat(floats.floats()).hasSize(70_002).startsWith(3f).endsWith(3f, 0x1p40f, 0.5f);
        }
        try (BodyBudget.Account account = BodyBudget.open(Long.MAX_VALUE, 1 << 20)) {
            long before = BodyBudget.inFlight();
            TensorData stated = JSON.readValue("{\"shape\": [70001], \"dtype\": \"int64\", \"data\": " + list(70_000, "3")
                    .replace("]", ", 1099511627776]") + "}", TensorData.class);
            assertThat(stated.longs()).hasSize(70_001).endsWith(3L, 1L << 40);
            assertThat(BodyBudget.inFlight() - before).isEqualTo(8L * 70_001);
        }
    }

    @Test
    void aParseOverTheBudgetBesideOthersIsRefused() throws Exception {
        try (BodyBudget.Account others = BodyBudget.open(1_000_000, 1 << 20)) {
            others.charge(900_000);
            try (BodyBudget.Account mine = BodyBudget.open(1_000_000, 1 << 20)) {
                long before = BodyBudget.inFlight();
                assertThatThrownBy(() -> JSON.readValue("{\"shape\": [100000], \"data\": " + list(100_000, "0") + "}", TensorData.class))
                        .isInstanceOf(JacksonException.class).hasCauseInstanceOf(BodyTooLargeException.InFlight.class);
                assertThat(BodyBudget.inFlight()).as("a refused charge is not held").isEqualTo(before);
            }
        }
    }

    @Test
    void aForwardWhoseParseWouldPassTheBudgetBesideOthersIsA413() throws Exception {
        String id = api.create(NET);
        // the body itself (about 200 KB) fits beside what others hold, its 400 KB of floats do not
        String forward = "{\"input\": {\"shape\": [25000, 4], \"data\": " + list(100_000, "0") + "}}";
        BodyBudget.Account others = BodyBudget.open(1L << 20, 0);
        try {
            others.charge(600_000);
            HttpApi.Answer refused = api.postRaw("/models/" + id + "/forward", "application/json", forward);
            assertThat(refused.status()).as(refused.raw().body()).isEqualTo(413);
            assertThat(refused.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(refused.body().get("limit").stringValue()).isEqualTo("max-inflight-body-size");
            assertThat(refused.body().get("maximum").longValue()).isEqualTo(1L << 20);
            assertThat(refused.body().get("actual").longValue()).isGreaterThan(1L << 20);
        } finally {
            others.close();
        }
        assertThat(api.postRaw("/models/" + id + "/forward", "application/json", forward).status()).isEqualTo(200);
    }

    /**
     * A streamed upload holds its chunks in buffers on their way to the store: each is charged before it is
     * allocated. Beside others the first is a 413 and nothing is stored; alone, the one it needs passes the
     * budget and the ones it could use beside it do not, so it goes on with one (4 MiB here, the chunk size).
     */
    @Test
    void anUploadsChunkBuffersAreChargedBeforeTheyAreAllocated() throws Exception {
        byte[] file = StateDictUploadHttpTest.safetensors(3_000_000, 0);   // 12 MB: three chunks
        int before = api.get("/state-dicts?limit=1000").body().size();
        BodyBudget.Account others = BodyBudget.open(1L << 20, 0);
        try {
            others.charge(600_000);
            HttpApi.Answer refused = api.postBytes("/state-dicts?name=refused", StateDictUploadHttpTest.OCTET, file);
            assertThat(refused.status()).as(refused.raw().body()).isEqualTo(413);
            assertThat(refused.body().get("limit").stringValue()).isEqualTo("max-inflight-body-size");
            assertThat(refused.body().get("actual").longValue()).isEqualTo(600_000 + (4L << 20));
        } finally {
            others.close();
        }
        assertThat(api.get("/state-dicts?limit=1000").body().size()).isEqualTo(before);

        java.util.concurrent.CountDownLatch sentHalf = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
        java.io.InputStream slow = StateDictUploadHttpTest.halfThenWait(file, sentHalf, goOn);
        var uploading = StateDictUploadHttpTest.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/v1/state-dicts?name=alone"))
                .header("Content-Type", StateDictUploadHttpTest.OCTET)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> slow)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        try {
            assertThat(sentHalf.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread.sleep(500);   // the service has read what was sent and waits for the rest
            assertThat(BodyBudget.inFlight()).as("one chunk buffer held").isEqualTo(4L << 20);
        } finally {
            goOn.countDown();
        }
        var done = uploading.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
        assertThat(BodyBudget.inFlight()).isZero();
        String id = HttpApi.JSON.readTree(done.body()).get("id").stringValue();
        assertThat(api.getBytes("/state-dicts/" + id + "?format=safetensors", null).body()).isEqualTo(file);
    }
}
