package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document covers every path and status of API.md, with examples for every body. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiDocumentTest {
    /** API.md's endpoints and the statuses each can answer. */
    static final Map<String, List<String>> OPERATIONS = Map.ofEntries(
            Map.entry("post /api/v1/models", List.of("201", "400", "413", "415")),
            Map.entry("get /api/v1/models", List.of("200")),
            Map.entry("get /api/v1/models/{id}", List.of("200", "404")),
            Map.entry("patch /api/v1/models/{id}", List.of("200", "400", "404", "413", "415")),
            Map.entry("delete /api/v1/models/{id}", List.of("204", "404")),
            Map.entry("get /api/v1/models/{id}/modules", List.of("200", "404")),
            Map.entry("get /api/v1/models/{id}/parameters", List.of("200", "400", "404")),
            Map.entry("get /api/v1/models/{id}/parameters/{name}", List.of("200", "404")),
            Map.entry("patch /api/v1/models/{id}/parameters/{name}", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("get /api/v1/models/{id}/state-dict", List.of("200", "404")),
            Map.entry("put /api/v1/models/{id}/state-dict", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/init", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/forward", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/backward", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/zero-grad", List.of("204", "404")),
            Map.entry("put /api/v1/models/{id}/optimizer", List.of("200", "400", "404", "415", "422")),
            Map.entry("get /api/v1/models/{id}/optimizer", List.of("200", "404")),
            Map.entry("delete /api/v1/models/{id}/optimizer", List.of("204", "404")),
            Map.entry("post /api/v1/models/{id}/step", List.of("200", "404", "409")),
            Map.entry("post /api/v1/models/{id}/scheduler-step", List.of("200", "404", "409")),
            Map.entry("post /api/v1/models/{id}/train-step", List.of("200", "400", "404", "409", "413", "415", "422")),
            Map.entry("get /api/v1/models/{id}/optimizer/state-dict", List.of("200", "400", "404")),
            Map.entry("put /api/v1/models/{id}/optimizer/state-dict", List.of("200", "400", "404", "409", "413")));

    /** The training operations' ids, as generated clients name them. */
    static final Map<String, String> OPERATION_IDS = Map.of(
            "put /api/v1/models/{id}/optimizer", "putOptimizer",
            "get /api/v1/models/{id}/optimizer", "getOptimizer",
            "delete /api/v1/models/{id}/optimizer", "deleteOptimizer",
            "post /api/v1/models/{id}/step", "step",
            "post /api/v1/models/{id}/scheduler-step", "schedulerStep",
            "post /api/v1/models/{id}/train-step", "trainStep",
            "get /api/v1/models/{id}/optimizer/state-dict", "getOptimizerStateDict",
            "put /api/v1/models/{id}/optimizer/state-dict", "loadOptimizerStateDict");

    @LocalServerPort
    int port;

    @Test
    void everyOperationIsDocumentedWithItsStatusesAndExamples() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode doc = HttpApi.JSON.readTree(response.body());
        assertThat(doc.get("openapi").stringValue()).startsWith("3.");
        OPERATIONS.forEach((operation, statuses) -> {
            String[] parts = operation.split(" ");
            JsonNode op = doc.get("paths").get(parts[1]).get(parts[0]);
            assertThat(op).as(operation).isNotNull();
            assertThat(op.get("summary")).as(operation + " summary").isNotNull();
            assertThat(op.get("description")).as(operation + " description").isNotNull();
            assertThat(op.get("responses").propertyNames()).as(operation + " statuses").containsAll(statuses);
            JsonNode body = op.get("requestBody");
            if (body != null) {
                assertThat(body.get("content").get("application/json").get("examples")).as(operation + " examples").isNotEmpty();
            }
        });
        OPERATION_IDS.forEach((operation, operationId) -> {
            String[] parts = operation.split(" ");
            assertThat(doc.get("paths").get(parts[1]).get(parts[0]).get("operationId").stringValue()).as(operation).isEqualTo(operationId);
        });
        assertThat(doc.get("components").get("schemas").propertyNames())
                .contains("Tensor", "ModelSpec", "Linear", "BatchNorm1d", "InitRequest", "Policy", "Problem");
    }

    @Test
    void everyExampleBodyRunsAsTheChapterWalkthrough() throws Exception {
        HttpApi api = new HttpApi(port);
        String net = api.create(ApiExamples.NET);
        for (String spec : List.of(ApiExamples.RGNET, ApiExamples.TIED, ApiExamples.NORMS)) {
            api.create(spec);
        }
        for (String init : List.of(ApiExamples.INIT_NORMAL, ApiExamples.INIT_CONSTANT, ApiExamples.INIT_XAVIER_42, ApiExamples.MY_INIT)) {
            assertThat(api.post("/models/" + net + "/init", init).status()).isEqualTo(200);
        }
        assertThat(api.post("/models/" + net + "/forward", ApiExamples.FORWARD).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/forward", ApiExamples.FORWARD_MODULE).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/backward", ApiExamples.BACKWARD_SUM).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/backward", ApiExamples.BACKWARD_MSE).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net + "/parameters/0.weight", ApiExamples.PATCH_ELEMENT).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net + "/parameters/2.bias", ApiExamples.PATCH_DATA).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net + "/parameters/2.bias", ApiExamples.PATCH_REQUIRES_GRAD).status()).isEqualTo(200);
        assertThat(api.put("/models/" + net + "/state-dict?strict=false", ApiExamples.LOAD_PARTIAL).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net, ApiExamples.PATCH_MODEL).status()).isEqualTo(200);
    }
}
