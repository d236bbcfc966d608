package io.paramlab.security;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Consumer;

/** Plain HTTP with an optional bearer token, so the tests meet access control as a client does. */
final class Client {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;
    /** Sees every answer, so a test can check none of them quotes a token. */
    private final Consumer<Answer> seen;

    Client(int port, Consumer<Answer> seen) {
        this.base = "http://localhost:" + port;
        this.seen = seen;
    }

    record Answer(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** {@code method path} with the token (none when null), a JSON body (none when null) and more headers (name, value, ...). */
    Answer send(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Answer answer = new Answer(response.statusCode(), response.body(), response);
            seen.accept(answer);
            return answer;
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    Answer get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** Creates a model as {@code token}'s owner; its id. */
    String create(String token, String spec) {
        Answer answer = send("POST", "/api/v1/models", token, spec);
        if (answer.status() != 201) {
            throw new AssertionError("create failed: " + answer.status() + " " + answer.body());
        }
        return answer.json().get("id").stringValue();
    }
}
