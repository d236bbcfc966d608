package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.paramlab.api.BadInputTest.NET;
import static io.paramlab.api.BadInputTest.assertProblem;
import static io.paramlab.api.BadInputTest.field;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What fuzzing today's API found: 5xx answers to client input, error answers that are not problem
 * details, failures that changed state, and input accepted loosely. Each test is one finding.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HardeningTest {
    static final String X = "[[1, 2, 3, 4]]";

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    static void assertRawProblem(RawHttp.Answer answer, int status) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        assertThat(answer.contentType()).as(answer.headers().toString()).startsWith("application/problem+json");
        JsonNode body = answer.body();
        assertThat(body.get("type").stringValue()).startsWith("urn:paramlab:problem:");
        assertThat(body.get("title").stringValue()).isNotEmpty();
        assertThat(body.get("status").intValue()).isEqualTo(status);
        assertThat(body.get("detail").stringValue()).isNotEmpty();
    }

    private static void assertTyped(HttpApi.Answer answer, int status, String type) {
        assertProblem(answer, status, "");
        assertThat(answer.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:" + type);
        assertThat(answer.body().get("title").stringValue()).isNotEmpty();
    }

    private String grad(String id) {
        return api.get("/models/" + id + "/parameters/0.weight").body().get("grad").toString();
    }

    // --- 5xx answers ---

    @Test
    void aShapeWhoseElementCountOverflowsIsA400NamingTheField() {
        String id = api.create(NET);
        String huge = "{\"shape\": [1073741824, 1073741824, 16], \"data\": []}";
        HttpApi.Answer forward = api.postRaw("/models/" + id + "/forward", "application/json", "{\"input\": " + huge + "}");
        assertProblem(forward, 400, "shape [1073741824, 1073741824, 16]");
        assertThat(field(forward)).isEqualTo("input");
        HttpApi.Answer backward = api.postRaw("/models/" + id + "/backward", "application/json",
                "{\"input\": " + X + ", \"target\": " + huge + ", \"loss\": \"mse\"}");
        assertProblem(backward, 400, "shape [1073741824, 1073741824, 16]");
        assertThat(field(backward)).isEqualTo("target");
        assertThat(grad(id)).isEqualTo("null");
    }

    @Test
    void contentTypesTheApiDoesNotReadAre415s() {
        String id = api.create(NET);
        for (String type : List.of("*/*", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded")) {
            HttpApi.Answer forward = api.send("POST", "/models/" + id + "/forward", type, null, "{\"input\": \"%zz\"}");
            assertTyped(forward, 415, "unsupported-media-type");
            HttpApi.Answer load = api.send("PUT", "/models/" + id + "/state-dict?strict=false", type, null, "{\"input\": \"%zz\"}");
            assertTyped(load, 415, "unsupported-media-type");
        }
    }

    @Test
    void theContentTypeVerdictsStayPerTypePastTheGuardsMemory() {
        String id = api.create(NET);
        String body = "{\"input\": " + X + "}";
        // more distinct Content-Types than MediaTypeGuard remembers per handler, readable and not, in turn
        for (int i = 0; i < MediaTypeGuard.MAX_CONTENT_TYPES + 4; i++) {
            assertThat(api.send("POST", "/models/" + id + "/forward", "application/json; x=" + i, null, body).status()).isEqualTo(200);
            assertTyped(api.send("POST", "/models/" + id + "/forward", "text/plain; x=" + i, null, body), 415, "unsupported-media-type");
        }
        assertThat(api.send("POST", "/models/" + id + "/forward", "application/json", null, body).status()).isEqualTo(200);
        assertTyped(api.send("POST", "/models/" + id + "/forward", "application/xml", null, body), 415, "unsupported-media-type");
    }

    @Test
    void badPercentEncodingInTheQueryIsA400() {
        String id = api.create(NET);
        for (String query : List.of("module=%ZZ", "%=%")) {
            assertRawProblem(RawHttp.send(port, "GET /api/v1/models/" + id + "/parameters?" + query + " HTTP/1.1", "", ""), 400);
            assertRawProblem(RawHttp.send(port, "GET /api/v1/models/" + id + "/state-dict?" + query + " HTTP/1.1", "", ""), 400);
        }
    }

    // --- error answers that are not problem details ---

    @Test
    void springsOwnErrorsAreProblemsWithAType() {
        String id = api.create(NET);
        assertTyped(api.postRaw("/models", "text/plain", "hello"), 415, "unsupported-media-type");
        assertTyped(api.getWithHeader("/models", "Accept", "application/xml"), 406, "not-acceptable");
        assertTyped(api.delete("/models"), 405, "method-not-allowed");
        assertTyped(api.get("/nothing/here"), 404, "not-found");
        assertTyped(api.put("/models/" + id + "/state-dict?strict=maybe", Map.of()), 400, "invalid-request");
    }

    @Test
    void theJsonReadersOwnLimitsNameTheLimit() {
        HttpApi.Answer deep = api.postRaw("/models", "application/json", BadInputTest.nestedSequentials(5000));
        assertTyped(deep, 413, "limit-exceeded");
        assertThat(deep.body().get("limit").stringValue()).isNotEmpty();
        assertThat(deep.body().get("maximum").longValue()).isPositive();
        assertThat(deep.body().get("actual").longValue()).isGreaterThan(deep.body().get("maximum").longValue());
    }

    @Test
    void serverRefusalsAreProblemsWhateverTheMethod() {
        for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
            assertRawProblem(RawHttp.send(port, method + " /api/v1/models/%2e%2e HTTP/1.1", "Content-Length: 0\r\n", ""), 400);
            assertRawProblem(RawHttp.send(port, method + " /api/v1/models/x/parameters/%2F HTTP/1.1", "Content-Length: 0\r\n", ""), 400);
            assertRawProblem(RawHttp.send(port, method + " /api/v1/models HTTP/1.1",
                    "Content-Type: application/json\r\nContent-Length: -1\r\n", "{}"), 400);
        }
    }

    /** Boot's error page answered {"timestamp", "status": 500, "error"} as application/json. */
    @Test
    void theServletErrorPageIsAProblem() {
        RawHttp.Answer direct = RawHttp.send(port, "GET /error HTTP/1.1", "", "");
        assertRawProblem(direct, 404);
        assertThat(direct.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:not-found");
    }

    @Test
    void traceIsOff() {
        RawHttp.Answer answer = RawHttp.send(port, "TRACE /api/v1/models HTTP/1.1", "X-Secret: echo-me\r\n", "");
        assertRawProblem(answer, 405);
        assertThat(answer.text()).doesNotContain("echo-me");
    }

    // --- failures that changed state ---

    @Test
    void anUnacceptableAcceptChangesNothing() {
        int before = api.get("/models").body().size();
        HttpApi.Answer create = api.send("POST", "/models", "application/json", "application/xml", HttpApi.JSON.writeValueAsString(NET));
        assertTyped(create, 406, "not-acceptable");
        assertThat(api.get("/models").body().size()).isEqualTo(before);

        String id = api.create(NET);
        HttpApi.Answer backward = api.send("POST", "/models/" + id + "/backward", "application/json", "text/html",
                "{\"input\": " + X + ", \"loss\": \"sum\"}");
        assertTyped(backward, 406, "not-acceptable");
        assertThat(grad(id)).isEqualTo("null");
        HttpApi.Answer rename = api.send("PATCH", "/models/" + id, "application/json", "image/png", "{\"name\": \"renamed\"}");
        assertTyped(rename, 406, "not-acceptable");
        assertThat(api.get("/models/" + id).body().get("name").isNull()).isTrue();
        // what the handler produces, or a wildcard, still works
        assertThat(api.send("POST", "/models/" + id + "/forward", "application/json", "application/json, text/html;q=0.5",
                "{\"input\": " + X + "}").status()).isEqualTo(200);
        assertThat(api.send("POST", "/models/" + id + "/forward", "application/json", "*/*", "{\"input\": " + X + "}").status()).isEqualTo(200);
    }

    // --- input accepted loosely ---

    @Test
    void unknownFieldsAreRefused() {
        String id = api.create(NET);
        HttpApi.Answer forward = api.postRaw("/models/" + id + "/forward", "application/json", "{\"input\": [[1, 2]], \"modul\": \"0\"}");
        assertProblem(forward, 400, "modul");
        assertThat(field(forward)).isEqualTo("modul");
        HttpApi.Answer backward = api.postRaw("/models/" + id + "/backward", "application/json",
                "{\"input\": " + X + ", \"loss\": \"sum\", \"targte\": [1]}");
        assertThat(field(backward)).isEqualTo("targte");
        assertThat(grad(id)).isEqualTo("null");
        assertThat(field(api.patch("/models/" + id, Map.of("trainng", false)))).isEqualTo("trainng");
        assertThat(field(api.patch("/models/" + id + "/parameters/0.bias", Map.of("requires_gard", false)))).isEqualTo("requires_gard");
        assertThat(api.get("/models/" + id).body().get("training").booleanValue()).isTrue();
    }

    @Test
    void duplicateKeysAreRefused() {
        String id = api.create(NET);
        HttpApi.Answer forward = api.postRaw("/models/" + id + "/forward", "application/json",
                "{\"input\": " + X + ", \"input\": [[1, 2]]}");
        assertProblem(forward, 400, "Duplicate");
        assertThat(field(forward)).isEqualTo("input");
        HttpApi.Answer patch = api.postRaw("/models", "application/json",
                "{\"model\": {\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 2, \"out_features\": 3}}");
        assertProblem(patch, 400, "Duplicate");
        assertThat(field(patch)).isEqualTo("model.out_features");
    }

    @Test
    void scalarsAreNotCoerced() {
        String id = api.create(NET);
        String model = "/models/" + id;
        for (String body : List.of("{\"training\": -1}", "{\"training\": \"false\"}", "{\"training\": 0.0}")) {
            assertThat(field(api.patch(model, body))).as(body).isEqualTo("training");
        }
        assertThat(field(api.patch(model, "{\"name\": true}"))).isEqualTo("name");
        assertThat(field(api.patch(model, "{\"name\": 12}"))).isEqualTo("name");
        JsonNode info = api.get(model).body();
        assertThat(info.get("training").booleanValue()).isTrue();
        assertThat(info.get("name").isNull()).isTrue();

        String bias = model + "/parameters/0.weight";
        JsonNode before = api.get(bias).body();
        assertThat(field(api.patch(bias, "{\"requires_grad\": 0}"))).isEqualTo("requires_grad");
        HttpApi.Answer fraction = api.patch(bias, "{\"index\": [0.9, 1.9], \"value\": 5}");
        assertProblem(fraction, 400, "integer");
        assertThat(field(fraction)).isEqualTo("index[0]");
        assertThat(field(api.patch(bias, "{\"index\": [\"0\", \"1\"], \"value\": 5}"))).isEqualTo("index[0]");
        assertThat(api.get(bias).body()).isEqualTo(before);
    }

    // --- answers lost on the way ---

    /**
     * An answer given before a body within its limit was read (half-way, or before its first byte)
     * reaches the client still sending it, on a connection that stays usable: the rest, here far
     * past 2 MB, is read and dropped. Closing on the unread bytes resets the connection, and the
     * JDK's client then loses the answer ("chunked transfer encoding, state: READING_DATA").
     */
    @Test
    void earlyAnswersToABodyWithinItsLimitReachAClientStillSendingIt() {
        String tokens = "[" + "0,".repeat(4_000_000) + "0]";   // 8 MB: past the JSON token limits early, under max-body-size
        for (int i = 0; i < 3; i++) {
            assertTyped(api.postRaw("/models", "application/json", tokens), 413, "limit-exceeded");
            assertTyped(api.postRaw("/models", "text/plain", tokens), 415, "unsupported-media-type");
        }
    }

    // --- also ---

    @Test
    void messagesNeverSplitASurrogatePair() {
        String name = "." + "a".repeat(34) + "\uD835\uDC65" + "b".repeat(10);   // 𝑥 straddles the cut at 37
        HttpApi.Answer spec = api.post("/models", Map.of("model", Map.of("type", "Sequential", "layers",
                List.of(Map.of("type", "ReLU", "name", name)))));
        assertProblem(spec, 400, "name");
        assertNoLoneSurrogate(spec.raw().body());

        String id = api.create(NET);
        HttpApi.Answer init = api.post("/models/" + id + "/init", Map.of("rules", List.of(
                Map.of("params", Map.of("weight", Map.of("type", "custom", "expr", "w + \uD835\uDC65"))))));
        assertProblem(init, 400, "");
        assertNoLoneSurrogate(init.raw().body());
    }

    /** Checks the decoded answer: a JSON escape such as \uD835 alone decodes to a lone surrogate too. */
    private static void assertNoLoneSurrogate(String json) {
        String text = HttpApi.JSON.readTree(json).toString().codePoints().collect(StringBuilder::new,
                StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String decoded = collectStrings(HttpApi.JSON.readTree(json), new StringBuilder()).toString();
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(i + 1 < decoded.length() && Character.isLowSurrogate(decoded.charAt(i + 1))).as(text).isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(c)).as(text).isFalse();
            }
        }
    }

    private static StringBuilder collectStrings(JsonNode node, StringBuilder out) {
        if (node.isString()) {
            out.append(node.stringValue()).append('\n');
        }
        node.forEach(child -> collectStrings(child, out));
        return out;
    }

    @Test
    void longErrorListsAreCappedWithTheTotal() {
        String id = api.create(NET);
        List<String> types = new ArrayList<>(Collections.nCopies(250, "Conv9d"));
        HttpApi.Answer answer = api.post("/models/" + id + "/init", Map.of("rules", List.of(
                Map.of("layer_types", types, "params", Map.of("weight", Map.of("type", "zeros"))))));
        assertProblem(answer, 400, "unknown layer type");
        assertThat(answer.body().get("errors").size()).isEqualTo(100);
        assertThat(answer.body().get("errors_total").intValue()).isEqualTo(250);
        assertThat(field(answer)).isEqualTo("rules[0].layer_types[0]");
    }
}
