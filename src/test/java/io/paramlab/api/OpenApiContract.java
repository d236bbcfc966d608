package io.paramlab.api;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The service's own OpenAPI document as a checker: finds the operation of a request, and
 * validates its body and the answer's status, media type and body against that operation's
 * schemas with a JSON Schema 2020-12 (OpenAPI 3.1) validator.
 */
final class OpenApiContract {
    /** Where the document is registered for the validator; nothing is fetched from it. */
    private static final String DOC = "https://paramlab.invalid/openapi.json";
    private static final Map<String, OpenApiContract> BY_BASE = new ConcurrentHashMap<>();

    final JsonNode doc;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(String text) {
        this.doc = HttpApi.JSON.readTree(text);
        this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(DOC, text)));
    }

    /** The document the service at {@code base} (scheme, host and port) serves, read once. */
    static OpenApiContract of(String base) {
        return BY_BASE.computeIfAbsent(base, b -> {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(b + "/v3/api-docs")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                return new OpenApiContract(response.body());
            } catch (Exception e) {
                throw new AssertionError("cannot read the OpenAPI document: " + e, e);
            }
        });
    }

    static OpenApiContract of(int port) {
        return of("http://localhost:" + port);
    }

    /** Checks one exchange; fails the test with every violation found. */
    void check(HttpApi.Exchange exchange) {
        String method = exchange.method().toLowerCase(java.util.Locale.ROOT);
        String what = exchange.method() + " " + exchange.uri().getRawPath();
        String template = template(exchange.uri().getRawPath());
        assertThat(template).as(what + ": no documented path").isNotNull();
        JsonNode operation = doc.get("paths").get(template).get(method);
        assertThat(operation).as(what + ": no documented operation").isNotNull();

        JsonNode requestBody = operation.get("requestBody");
        // a body the document makes optional (a file upload sent as bytes, or none) is checked when JSON was sent
        boolean required = requestBody != null && requestBody.has("required") && requestBody.get("required").booleanValue();
        if (requestBody != null && (required || exchange.requestBody() != null)) {
            JsonNode media = requestBody.get("content").get("application/json");
            assertThat(exchange.requestBody()).as(what + ": the request body").isNotNull();
            validate(what + " request", media.get("schema"), HttpApi.JSON.readTree(exchange.requestBody()));
        }

        HttpApi.Answer answer = exchange.answer();
        String status = String.valueOf(answer.status());
        JsonNode response = operation.get("responses").get(status);
        assertThat(response).as(what + ": status " + status + " is not documented (" + answer.body() + ")").isNotNull();
        response = resolve(response);
        JsonNode content = response.get("content");
        if (content == null) {
            assertThat(answer.body()).as(what + " " + status + ": documented without a body").isNull();
            return;
        }
        String contentType = answer.contentType() == null ? "" : answer.contentType().split(";")[0].trim();
        JsonNode media = content.get(contentType);
        assertThat(media).as(what + " " + status + ": media type " + contentType + " is not among " + content.propertyNames())
                .isNotNull();
        validate(what + " " + status + " answer", media.get("schema"), answer.body());
    }

    /** Validates {@code value} against a schema of the document (a $ref or an inline schema). */
    void validate(String what, JsonNode schema, JsonNode value) {
        List<Error> errors = schema(schema).validate(value);
        if (!errors.isEmpty()) {
            String shown = String.valueOf(value);
            fail(what + " does not fit its schema " + schema + ":\n  " + String.join("\n  ", errors.stream()
                    .limit(10).map(Error::toString).toList()) + "\n  value: " + (shown.length() > 2000 ? shown.substring(0, 2000) + "..." : shown));
        }
    }

    private Schema schema(JsonNode schema) {
        String text = schema.toString();
        return schemas.computeIfAbsent(text, t -> {
            if (schema.has("$ref") && schema.size() == 1) {
                return registry.getSchema(SchemaLocation.of(DOC + schema.get("$ref").stringValue()));
            }
            // an inline schema: its references point into the document
            JsonNode absolute = HttpApi.JSON.readTree(t.replace("\"#/components/", "\"" + DOC + "#/components/"));
            return registry.getSchema(SchemaLocation.of("https://paramlab.invalid/inline/" + schemas.size()), absolute);
        });
    }

    /** Follows a reference to components/responses. */
    JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String[] parts = node.get("$ref").stringValue().substring(2).split("/");
            JsonNode target = doc;
            for (String part : parts) {
                target = target.get(part.replace("~1", "/").replace("~0", "~"));
            }
            node = target;
        }
        return node;
    }

    /** The documented path a raw request path matches, segment by segment ({x} matches any segment). */
    private String template(String rawPath) {
        if (doc.get("paths").has(rawPath)) {
            return rawPath;   // a literal path (/state-dicts/diff) wins over a template (/state-dicts/{id}), as in Spring MVC
        }
        String[] segments = rawPath.split("/", -1);
        for (String candidate : doc.get("paths").propertyNames()) {
            String[] parts = candidate.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < parts.length && match; i++) {
                match = parts[i].startsWith("{") || parts[i].equals(segments[i]);
            }
            if (match) {
                return candidate;
            }
        }
        return null;
    }

    /** Every example the document carries, with the schema it must fit. */
    void forEachExample(BiConsumer<String, Runnable> check) {
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            String at = op.getKey() + " " + path.getKey();
            JsonNode parameters = op.getValue().get("parameters");
            if (parameters != null) {
                for (JsonNode parameter : parameters) {
                    String where = at + " parameter " + parameter.get("name").stringValue();
                    examples(parameter, parameter.get("schema"), where, check);
                }
            }
            JsonNode body = op.getValue().get("requestBody");
            if (body != null) {
                body.get("content").properties().forEach(media ->
                        examples(media.getValue(), media.getValue().get("schema"), at + " request " + media.getKey(), check));
            }
        }));
        doc.get("components").get("schemas").properties().forEach(component ->
                schemaExamples(component.getValue(), "components.schemas." + component.getKey(), check));
    }

    private void examples(JsonNode holder, JsonNode schema, String where, BiConsumer<String, Runnable> check) {
        if (holder.has("example")) {
            check.accept(where + " example", () -> validate(where + " example", schema, holder.get("example")));
        }
        if (holder.has("examples")) {
            holder.get("examples").properties().forEach(e -> check.accept(where + " example \"" + e.getKey() + "\"",
                    () -> validate(where + " example \"" + e.getKey() + "\"", schema, e.getValue().get("value"))));
        }
    }

    /** A schema's own example and those of the schemas inside it. */
    private void schemaExamples(JsonNode schema, String where, BiConsumer<String, Runnable> check) {
        if (!schema.isObject()) {
            return;
        }
        if (schema.has("example")) {
            JsonNode without = schema.deepCopy();
            ((tools.jackson.databind.node.ObjectNode) without).remove("example");
            check.accept(where + " example", () -> validate(where + " example", without, schema.get("example")));
        }
        JsonNode properties = schema.get("properties");
        if (properties != null) {
            properties.properties().forEach(p -> schemaExamples(p.getValue(), where + "." + p.getKey(), check));
        }
        for (String key : List.of("items", "additionalProperties")) {
            if (schema.has(key)) {
                schemaExamples(schema.get(key), where + "." + key, check);
            }
        }
        for (String key : List.of("oneOf", "anyOf", "allOf")) {
            if (schema.has(key)) {
                int i = 0;
                for (JsonNode choice : schema.get(key)) {
                    schemaExamples(choice, where + "." + key + "[" + i++ + "]", check);
                }
            }
        }
    }
}
