package io.paramlab.api;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A plain HTTP client for the tests, so they see the API exactly as a client does. */
final class HttpApi {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** While set, sees every request any HttpApi sends with its answer (OpenApiContractTest checks them). */
    static volatile Consumer<Exchange> observer;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String base;
    private final String token;   // sent as a bearer token with every request but the event streams', when not null

    HttpApi(int port) {
        this(port, null);
    }

    HttpApi(int port, String token) {
        this.base = "http://localhost:" + port + "/api/v1";
        this.token = token;
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }
    }

    /** One request as sent (body null when none) and its answer. */
    record Exchange(String method, URI uri, String requestBody, Answer answer) {
    }

    static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), null);
    }

    Answer getWithHeader(String path, String name, String value) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header(name, value).GET(), null);
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), null);
    }

    Answer post(String path, Object body) {
        String text = text(body);
        return send(json(path, body).POST(HttpRequest.BodyPublishers.ofString(text)), text);
    }

    Answer put(String path, Object body) {
        String text = text(body);
        return send(json(path, body).PUT(HttpRequest.BodyPublishers.ofString(text)), text);
    }

    Answer patch(String path, Object body) {
        String text = text(body);
        return send(json(path, body).method("PATCH", HttpRequest.BodyPublishers.ofString(text)), text);
    }

    /** Posts the body without a Content-Length (chunked), so the server only learns its size by reading it. */
    Answer postChunked(String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))), body);
    }

    Answer postRaw(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)), body);
    }

    /** A JSON POST (body null: none) with extra headers given as name, value, name, value... */
    Answer postWith(String path, Object body, String... headers) {
        String text = body == null ? null : text(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) request.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return send(request, text);
    }

    /** Any method with a JSON body (or none) and the given headers, as name, value pairs. */
    Answer sendWith(String method, String path, Object body, String... headers) {
        String text = body == null ? null : text(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) request.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return send(request, text);
    }

    /** Any method with the given Content-Type and Accept (either may be null). */
    Answer send(String method, String path, String contentType, String accept, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) request.header("Content-Type", contentType);
        if (accept != null) request.header("Accept", accept);
        return send(request, body);
    }

    /** An answer kept as bytes: a safetensors or torch.save file, or a problem. */
    record Bytes(int status, byte[] body, HttpResponse<byte[]> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** GET with an optional Accept, the answer as bytes. */
    Bytes getBytes(String path, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (accept != null) request.header("Accept", accept);
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Bytes(response.statusCode(), response.body(), response);
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    /** POST of raw bytes with the given Content-Type (none when null). */
    Answer postBytes(String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) request.header("Content-Type", contentType);
        return send(request, null);
    }

    /** PUT of raw bytes with the given Content-Type (none when null). */
    Answer putBytes(String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) request.header("Content-Type", contentType);
        return send(request, null);
    }

    /** One server-sent event of a job's stream: its type, its id (null for none) and its data. */
    record Event(String event, String id, String data) {
    }

    /** The events of a job's stream ({@code Last-Event-ID} when not null), read to its end within {@code seconds}. */
    java.util.List<Event> jobEvents(String job, String lastEventId, int seconds) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/jobs/" + job + "/events"))
                .header("Accept", "text/event-stream").timeout(java.time.Duration.ofSeconds(seconds));
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        try {
            HttpResponse<java.util.stream.Stream<String>> response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200 || !response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                throw new AssertionError("events of job " + job + ": " + response.statusCode() + " " + response.headers().map());
            }
            java.util.List<Event> out = new java.util.ArrayList<>();
            String[] current = new String[3];
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (line.isEmpty()) {
                    if (current[0] != null) out.add(new Event(current[0], current[1], current[2]));
                    current = new String[3];
                } else if (line.startsWith("event:")) {
                    current[0] = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    current[1] = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    current[2] = line.substring(5);
                }
            }
            if (current[0] != null) out.add(new Event(current[0], current[1], current[2]));
            return out;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("events of job " + job + " failed: " + e, e);
        }
    }

    /** The data of the last status event of a job's stream, read to its end within {@code seconds}. */
    JsonNode lastJobStatus(String job, int seconds) {
        Event last = jobEvents(job, null, seconds).stream().filter(e -> e.event().equals("status")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no status event in the stream of job " + job));
        return JSON.readTree(last.data());
    }

    /** Creates a model and returns its id, failing the test if creation fails. */
    String create(Object spec) {
        Answer answer = post("/models", spec);
        if (answer.status() != 201) {
            throw new AssertionError("create failed: " + answer.status() + " " + answer.body());
        }
        return answer.body().get("id").stringValue();
    }

    private HttpRequest.Builder json(String path, Object body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
    }

    private static String text(Object body) {
        return body instanceof String s ? s : JSON.writeValueAsString(body);
    }

    private Answer send(HttpRequest.Builder builder, String requestBody) {
        Answer answer;
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            answer = new Answer(response.statusCode(), body == null || body.isEmpty() ? null : JSON.readTree(body), response);
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
        Consumer<Exchange> seen = observer;
        if (seen != null) {
            seen.accept(new Exchange(request.method(), request.uri(), requestBody, answer));
        }
        return answer;
    }
}
