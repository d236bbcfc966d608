package io.paramlab.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document tells the truth: the walkthrough and the conformance runs are run again
 * here with every request body and every answer (status, media type, body) validated against the
 * document's own schemas for that operation, and every example in the document fits its schema.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiContractTest {
    @LocalServerPort
    int port;

    @BeforeEach
    void watchEveryExchange() {
        HttpApi.observer = exchange -> OpenApiContract.of(exchange.uri().getScheme() + "://" + exchange.uri().getAuthority())
                .check(exchange);
    }

    @AfterEach
    void stopWatching() {
        HttpApi.observer = null;
    }

    @Nested
    class ChapterWalkthrough extends ChapterWalkthroughTest {
    }

    @Nested
    class NumericConformance extends NumericConformanceTest {
    }

    @Nested
    class InitConformance extends InitConformanceTest {
    }

    @Nested
    class StoredStateDicts extends StoredStateDictHttpTest {
    }

    @Nested
    class SpectraConformance extends SpectraConformanceTest {
    }

    /** The examples Swagger UI offers, sent as a client sends them (OpenApiDocumentTest's run of them). */
    @Nested
    class DocumentExamples extends OpenApiDocumentTest {
    }

    @TestFactory
    Stream<DynamicTest> everyExampleFitsItsSchema() {
        List<DynamicTest> tests = new ArrayList<>();
        OpenApiContract.of(port).forEachExample((name, check) -> tests.add(DynamicTest.dynamicTest(name, check::run)));
        assertThat(tests.size()).as("examples found").isGreaterThan(20);
        return tests.stream();
    }

    /** The checks above are only worth something if the schemas refuse what the API refuses. */
    @Test
    void theSchemasRefuseWhatTheApiRefuses() {
        OpenApiContract contract = OpenApiContract.of(port);
        Map<String, List<String>> refused = Map.of(
                "TensorValue", List.of("\"nan\"", "{\"a\": 1}", "[[1, 2], [true]]", "null"),
                "Tensor", List.of("{\"shape\": [2], \"data\": [1, 2]}", "{\"shape\": [2], \"dtype\": \"float64\", \"data\": [1, 2]}"),
                "TensorInput", List.of("{\"data\": [1], \"extra\": 1}", "[[\"one\"]]", "7"),
                "ModelSpec", List.of("{\"model\": {\"type\": \"NoSuchLayer\"}}", "{\"model\": {\"type\": \"Linear\", \"in_features\": 4}}",
                        "{\"model\": {\"type\": \"ReLU\", \"name\": \"a.b\"}}", "{\"model\": {\"ref\": \"s\", \"type\": \"ReLU\"}}"),
                "InitRequest", List.of("{\"rules\": [{\"params\": {\"weight\": {\"type\": \"constant\"}}}]}"),
                "BackwardRequest", List.of("{\"input\": [1], \"loss\": \"hinge\"}"),
                "Model", List.of("{\"id\": \"x\"}"));
        refused.forEach((component, values) -> {
            for (String value : values) {
                JsonNode schema = HttpApi.JSON.readTree("{\"$ref\": \"#/components/schemas/" + component + "\"}");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> contract.validate(component, schema, HttpApi.JSON.readTree(value)))
                        .as(component + " refuses " + value).isInstanceOf(AssertionError.class);
            }
        });
        contract.validate("a 0-d tensor", HttpApi.JSON.readTree("{\"$ref\": \"#/components/schemas/Tensor\"}"),
                HttpApi.JSON.readTree("{\"shape\": [], \"dtype\": \"float32\", \"data\": \"-Infinity\"}"));
    }

    @Test
    void everyReferenceResolvesAndEveryAnswerHasItsMediaType() {
        OpenApiContract contract = OpenApiContract.of(port);
        String text = contract.doc.toString();
        Set<String> refs = new TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"\\$ref\":\"(#/[^\"]+)\"").matcher(text);
        while (m.find()) {
            refs.add(m.group(1));
        }
        for (String ref : refs) {
            JsonNode target = contract.doc.at(ref.substring(1));
            assertThat(target.isMissingNode()).as(ref + " resolves").isFalse();
        }
        contract.doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op ->
                op.getValue().get("responses").properties().forEach(r -> {
                    JsonNode content = contract.resolve(r.getValue()).get("content");
                    if (content != null) {
                        // success is JSON, and for state dicts also a file; failures are problems
                        List<String> expected = !r.getKey().startsWith("2") ? List.of(OpenApiConfiguration.PROBLEM_JSON)
                                : content.has("application/octet-stream") ? List.of("application/json", "application/octet-stream")
                                : content.has("text/event-stream") ? List.of("text/event-stream")   // a job's events
                                : List.of("application/json");
                        assertThat(content.propertyNames()).as(op.getKey() + " " + path.getKey() + " " + r.getKey())
                                .containsExactlyElementsOf(expected);
                    }
                })));
    }

    /** The schema knows every layer type and init policy the parsers know, and no other (a new one is one line in ApiSchemas). */
    @Test
    void layerTypesAndPoliciesAreTheParsersOwn() {
        HttpApi.observer = null;   // these requests are wrong on purpose
        HttpApi api = new HttpApi(port);
        JsonNode badLayer = api.post("/models", Map.of("model", Map.of("type", "NoSuchLayer"))).body();
        String layers = badLayer.get("errors").get(0).get("message").stringValue();
        assertThat(known(layers)).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                ApiSchemas.LAYERS.stream(), ApiSchemas.STRUCTURAL.stream()).map(ApiSchemas.Layer::type).toList());
        String net = api.create(ApiExamples.NET);
        JsonNode badPolicy = api.post("/models/" + net + "/init", Map.of("rules", List.of(Map.of("params",
                Map.of("weight", Map.of("type", "no_such_policy")))))).body();
        String policies = badPolicy.get("errors").get(0).get("message").stringValue();
        assertThat(known(policies)).containsExactlyInAnyOrderElementsOf(
                ApiSchemas.POLICIES.stream().map(ApiSchemas.Policy::type).toList());
    }

    private static List<String> known(String message) {
        assertThat(message).contains("known: ");
        return List.of(message.substring(message.indexOf("known: ") + 7).split(",\\s*"));
    }
}
