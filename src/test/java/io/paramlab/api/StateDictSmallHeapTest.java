package io.paramlab.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state dict of a 25,171,968-parameter model (100 MB of float32, about 300 MB of JSON) goes out
 * and comes back in, as JSON, safetensors and torch.save, through a service started with -Xmx512m
 * in its own JVM: the answer is written as a stream and the load is read as one, with no second
 * copy of the model.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StateDictSmallHeapTest {
    static final long PARAMETERS = 4096L * 4096 + 4096 + 4096L * 2048 + 2048;
    static final String SPEC = """
            {"name": "25M", "seed": 42, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4096, "out_features": 4096}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 4096, "out_features": 2048}]}}""";

    static Process service;
    static Path log;
    static String base;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServiceWithSmallHeap() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        base = "http://localhost:" + port + "/api/v1";
        log = Files.createTempFile("paramlab-small-heap", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), "io.paramlab.ParamlabApplication",
                "--server.port=" + port, "--paramlab.limits.max-body-size=1GB", "--spring.main.banner-mode=off",
                "--paramlab.data-dir=" + Files.createTempDirectory("paramlab-small-heap-data")));
        service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(service.isAlive()).as("service exited:\n%s", tail()).isTrue();
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(base + "/models")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("service did not start:\n%s", tail()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopService() throws Exception {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(10, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void stateDictOf25MParametersGoesOutAndComesBackUnder512MB() throws Exception {
        String id = json(send(post("/models", SPEC))).get("id").stringValue();
        float bias0 = json(send(get("/models/" + id + "/parameters/2.bias"))).get("data").get("data").get(0).floatValue();

        Path file = Files.createTempFile("paramlab-state-dict", ".json");
        try {
            HttpResponse<Path> out = client.send(get("/models/" + id + "/state-dict"), HttpResponse.BodyHandlers.ofFile(file));
            assertThat(out.statusCode()).as("GET state-dict\n%s", tail()).isEqualTo(200);
            assertThat(countValues(file)).isEqualTo(PARAMETERS);

            // change one value, then loading the saved state dict must put it back
            send(HttpRequest.newBuilder(URI.create(base + "/models/" + id + "/parameters/2.bias"))
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"index\": [0], \"value\": 100}")).build());
            HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create(base + "/models/" + id + "/state-dict"))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(in.statusCode()).as("PUT state-dict: %s\n%s", in.body(), tail()).isEqualTo(200);
            assertThat(json(in).get("missing_keys").size()).isZero();
            assertThat(json(send(get("/models/" + id + "/parameters/2.bias"))).get("data").get("data").get(0).floatValue())
                    .isEqualTo(bias0);
            assertThat(service.isAlive()).isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
        for (String format : List.of("safetensors", "pt")) {
            binaryRoundTrip(id, format, bias0);
        }
    }

    /** The same through a file: streamed out from the live arrays, decoded into new ones and loaded. */
    private static void binaryRoundTrip(String id, String format, float bias0) throws Exception {
        Path file = Files.createTempFile("paramlab-state-dict", "." + format);
        try {
            HttpResponse<Path> out = client.send(get("/models/" + id + "/state-dict?format=" + format), HttpResponse.BodyHandlers.ofFile(file));
            assertThat(out.statusCode()).as("GET %s\n%s", format, tail()).isEqualTo(200);
            assertThat(Files.size(file)).as(format).isGreaterThan(PARAMETERS * 4).isLessThan(PARAMETERS * 4 + 100_000);
            send(HttpRequest.newBuilder(URI.create(base + "/models/" + id + "/parameters/2.bias"))
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"index\": [0], \"value\": 100}")).build());
            HttpResponse<String> in = client.send(HttpRequest.newBuilder(URI.create(base + "/models/" + id + "/state-dict"))
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(in.statusCode()).as("PUT %s: %s\n%s", format, in.body(), tail()).isEqualTo(200);
            assertThat(json(send(get("/models/" + id + "/parameters/2.bias"))).get("data").get("data").get(0).floatValue())
                    .isEqualTo(bias0);
            assertThat(service.isAlive()).isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Counts the numbers under every "data" of a state dict file, reading it as a stream. */
    private static long countValues(Path file) throws IOException {
        long count = 0;
        try (JsonParser parser = HttpApi.JSON.createParser(file.toFile())) {
            boolean inData = false;
            int depth = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME) {
                    inData = depth == 2 && parser.currentName().equals("data");
                }
                if (token.isStructStart()) depth++;
                if (token.isStructEnd()) depth--;
                if (inData && token.isNumeric()) count++;
            }
        }
        return count;
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).build();
    }

    private static HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s\n%s", request.method(), request.uri(), response.body(), tail())
                .isLessThan(300);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HttpApi.JSON.readTree(response.body());
    }

    private static String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
