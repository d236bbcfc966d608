package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document covers every path and status of API.md under named operations, with
 * examples for every body; it is written to target/openapi.json for the linter in .ci/run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiDocumentTest {
    /** API.md's endpoints, their operationIds (the generated clients' method names) and the statuses each can answer. */
    static final Map<String, List<String>> OPERATIONS = Map.ofEntries(
            Map.entry("post /api/v1/models createModel", List.of("201", "400", "413", "415")),
            Map.entry("get /api/v1/models listModels", List.of("200")),
            Map.entry("get /api/v1/models/{id} getModel", List.of("200", "404")),
            Map.entry("patch /api/v1/models/{id} patchModel", List.of("200", "400", "404", "413", "415")),
            Map.entry("delete /api/v1/models/{id} deleteModel", List.of("204", "404")),
            Map.entry("get /api/v1/models/{id}/modules listModules", List.of("200", "404")),
            Map.entry("get /api/v1/models/{id}/parameters listParameters", List.of("200", "400", "404")),
            Map.entry("get /api/v1/models/{id}/parameters/{name} getParameter", List.of("200", "404")),
            Map.entry("patch /api/v1/models/{id}/parameters/{name} patchParameter", List.of("200", "204", "400", "404", "413", "415", "422")),
            Map.entry("get /api/v1/models/{id}/state-dict getStateDict", List.of("200", "400", "404", "406", "422")),
            Map.entry("put /api/v1/models/{id}/state-dict loadStateDict", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/init initModel", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/forward forward", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/backward backward", List.of("200", "400", "404", "413", "415", "422")),
            Map.entry("post /api/v1/models/{id}/zero-grad zeroGrad", List.of("204", "404")),
            Map.entry("get /api/v1/models/{id}/stats getModelStats", List.of("200", "400", "404", "422")),
            Map.entry("get /api/v1/models/{id}/parameters/{name}/stats getParameterStats", List.of("200", "400", "404", "422")),
            Map.entry("get /api/v1/models/{id}/spectra getModelSpectra", List.of("200", "400", "404", "413", "422")),
            Map.entry("get /api/v1/models/{id}/history getHistory", List.of("200", "400", "404")),
            Map.entry("put /api/v1/models/{id}/optimizer putOptimizer", List.of("200", "400", "404", "415", "422")),
            Map.entry("get /api/v1/models/{id}/optimizer getOptimizer", List.of("200", "404")),
            Map.entry("delete /api/v1/models/{id}/optimizer deleteOptimizer", List.of("204", "404")),
            Map.entry("post /api/v1/models/{id}/step step", List.of("200", "404", "409")),
            Map.entry("post /api/v1/models/{id}/scheduler-step schedulerStep", List.of("200", "404", "409")),
            Map.entry("post /api/v1/models/{id}/train-step trainStep", List.of("200", "400", "404", "409", "413", "415", "422")),
            Map.entry("get /api/v1/models/{id}/optimizer/state-dict getOptimizerStateDict", List.of("200", "400", "404")),
            Map.entry("put /api/v1/models/{id}/optimizer/state-dict loadOptimizerStateDict", List.of("200", "400", "404", "409", "413")),
            Map.entry("post /api/v1/models/{id}/checkpoints createCheckpoint", List.of("201", "400", "404", "409", "415", "422")),
            Map.entry("get /api/v1/models/{id}/checkpoints listCheckpoints", List.of("200", "404")),
            Map.entry("get /api/v1/models/{id}/checkpoints/{c} getCheckpoint", List.of("200", "404")),
            Map.entry("get /api/v1/models/{id}/checkpoints/{c}/state-dict getCheckpointStateDict", List.of("200", "400", "404", "406")),
            Map.entry("post /api/v1/models/{id}/checkpoints/{c}/restore restoreCheckpoint", List.of("200", "404", "409", "412", "422")),
            Map.entry("post /api/v1/models/{id}/checkpoints/{c}/fork forkCheckpoint", List.of("201", "400", "404", "413", "422")),
            Map.entry("delete /api/v1/models/{id}/checkpoints/{c} deleteCheckpoint", List.of("204", "404")),
            Map.entry("get /api/v1/models/{id}/diff diff", List.of("200", "400", "404", "422")),
            Map.entry("post /api/v1/datasets createDataset", List.of("201", "400", "413", "415")),
            Map.entry("get /api/v1/datasets listDatasets", List.of("200")),
            Map.entry("get /api/v1/datasets/{id} getDataset", List.of("200", "404")),
            Map.entry("delete /api/v1/datasets/{id} deleteDataset", List.of("204", "404", "409")),
            Map.entry("post /api/v1/models/{id}/jobs createJob", List.of("202", "400", "404", "409", "413", "415", "422")),
            Map.entry("get /api/v1/models/{id}/jobs listModelJobs", List.of("200", "404")),
            Map.entry("get /api/v1/jobs listJobs", List.of("200")),
            Map.entry("get /api/v1/jobs/{job} getJob", List.of("200", "404")),
            Map.entry("get /api/v1/jobs/{job}/history getJobHistory", List.of("200", "404")),
            Map.entry("get /api/v1/jobs/{job}/events getJobEvents", List.of("200", "404")),
            Map.entry("post /api/v1/jobs/{job}/cancel cancelJob", List.of("202", "404", "409")),
            Map.entry("post /api/v1/jobs/{job}/resume resumeJob", List.of("202", "404", "409")),
            Map.entry("post /api/v1/state-dicts createStateDict", List.of("201", "400", "404", "413", "415")),
            Map.entry("get /api/v1/state-dicts listStateDicts", List.of("200", "400")),
            Map.entry("get /api/v1/state-dicts/{id} getStoredStateDict", List.of("200", "400", "404")),
            Map.entry("patch /api/v1/state-dicts/{id} patchStateDict", List.of("200", "400", "404", "412", "415")),
            Map.entry("delete /api/v1/state-dicts/{id} deleteStateDict", List.of("204", "404")),
            Map.entry("get /api/v1/state-dicts/{id}/tensors/{key} getStoredTensor", List.of("200", "400", "404", "413")),
            Map.entry("get /api/v1/state-dicts/{id}/stats getStoredStateDictStats", List.of("200", "400", "404")),
            Map.entry("get /api/v1/state-dicts/{id}/history getStateDictHistory", List.of("200", "400", "404")),
            Map.entry("get /api/v1/state-dicts/{id}/spectra getStoredStateDictSpectra", List.of("200", "400", "404", "413")),
            Map.entry("get /api/v1/state-dicts/diff diffStateDicts", List.of("200", "400", "404")),
            Map.entry("get /api/v1/whoami whoami", List.of("200")));

    @LocalServerPort
    int port;

    @Test
    void everyOperationIsDocumentedWithItsStatusesAndExamples() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode doc = HttpApi.JSON.readTree(response.body());
        Path written = Path.of("target", "openapi.json");
        Files.createDirectories(written.getParent());
        Files.writeString(written, HttpApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        assertThat(doc.get("openapi").stringValue()).isEqualTo("3.1.0");
        int operations = 0;
        for (JsonNode path : doc.get("paths")) {
            operations += path.size();
        }
        assertThat(operations).as("operations documented").isEqualTo(OPERATIONS.size());
        OPERATIONS.forEach((operation, statuses) -> {
            String[] parts = operation.split(" ");
            JsonNode op = doc.get("paths").get(parts[1]).get(parts[0]);
            assertThat(op).as(operation).isNotNull();
            assertThat(op.get("operationId").stringValue()).as(operation + " operationId").isEqualTo(parts[2]);
            assertThat(op.get("summary")).as(operation + " summary").isNotNull();
            assertThat(op.get("description")).as(operation + " description").isNotNull();
            assertThat(op.get("responses").propertyNames()).as(operation + " statuses").containsAll(statuses);
            JsonNode body = op.get("requestBody");
            if (body != null) {
                assertThat(body.get("content").get("application/json").get("examples")).as(operation + " examples").isNotEmpty();
            }
        });
        // every POST documents Idempotency-Key, the one filter's header
        doc.get("paths").forEach(path -> {
            if (path.has("post")) {
                List<String> headers = new java.util.ArrayList<>();
                path.get("post").get("parameters").forEach(p -> headers.add(p.get("in").stringValue() + " " + p.get("name").stringValue()));
                assertThat(headers).as(path.get("post").get("operationId").stringValue()).contains("header Idempotency-Key");
            }
        });
        assertThat(doc.get("components").get("schemas").propertyNames())
                .contains("Checkpoint", "CheckpointRequest", "ForkRequest", "DiffEntry", "Tensor", "TensorValue", "TensorInput", "ModelSpec", "Node", "Layer", "Linear", "BatchNorm1d",
                        "InitRequest", "Policy", "Problem");

        // the state dict travels as JSON or as a file, both ways, with its format parameters
        JsonNode stateDict = doc.get("paths").get("/api/v1/models/{id}/state-dict");
        assertThat(stateDict.get("get").get("responses").get("200").get("content").propertyNames())
                .contains("application/json", "application/octet-stream");
        assertThat(stateDict.get("put").get("requestBody").get("content").propertyNames())
                .contains("application/json", "application/octet-stream");
        List<String> getParameters = new java.util.ArrayList<>();
        stateDict.get("get").get("parameters").forEach(p -> getParameters.add(p.get("name").stringValue()));
        assertThat(getParameters).contains("module", "format", "tied");
        List<String> putParameters = new java.util.ArrayList<>();
        stateDict.get("put").get("parameters").forEach(p -> putParameters.add(p.get("name").stringValue()));
        assertThat(putParameters).contains("module", "strict", "format", "key");
    }

    @Test
    void everyExampleBodyRunsAsTheChapterWalkthrough() throws Exception {
        HttpApi api = new HttpApi(port);
        for (String spec : List.of(ApiExamples.NET, ApiExamples.RGNET, ApiExamples.TIED, ApiExamples.NORMS)) {
            api.create(spec);
        }
        String net = api.create(ApiExamples.NET_SEED_1);
        for (String init : List.of(ApiExamples.INIT_NORMAL, ApiExamples.INIT_CONSTANT, ApiExamples.INIT_XAVIER_42, ApiExamples.MY_INIT)) {
            assertThat(api.post("/models/" + net + "/init", init).status()).isEqualTo(200);
        }
        assertThat(api.post("/models/" + net + "/forward", ApiExamples.FORWARD).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/forward", ApiExamples.FORWARD_MODULE).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/backward", ApiExamples.BACKWARD_SUM).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/backward", ApiExamples.BACKWARD_MSE).status()).isEqualTo(200);
        // my_init under seed 4, last of the four: the README's numbers
        JsonNode weight = api.get("/models/" + net + "/parameters/0.weight").body().get("data").get("data").get(0);
        assertThat(Conformance.flatten(weight)).containsExactly(0.0, 0.0, -8.170863, -5.7999363);
        // the parameter name the document's example offers
        assertThat(api.patch("/models/" + net + "/parameters/2.weight", ApiExamples.PATCH_ELEMENT).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net + "/parameters/2.weight", ApiExamples.PATCH_DATA).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net + "/parameters/2.weight", ApiExamples.PATCH_REQUIRES_GRAD).status()).isEqualTo(200);
        assertThat(api.put("/models/" + net + "/state-dict", ApiExamples.LOAD_NET).status()).isEqualTo(200);
        assertThat(api.patch("/models/" + net, ApiExamples.PATCH_MODEL).status()).isEqualTo(200);
        // then training, checkpoints, a dataset and a job, as the docs go on (training.md, formats.md)
        assertThat(api.put("/models/" + net + "/optimizer", OptimizerController.GROUPS).status()).isEqualTo(200);
        assertThat(api.put("/models/" + net + "/optimizer", OptimizerController.SGD).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/train-step", OptimizerController.TRAIN_STEP).status()).isEqualTo(200);
        assertThat(api.post("/models/" + net + "/checkpoints", ApiExamples.CHECKPOINT).status()).isEqualTo(201);
        HttpApi.Answer fork = api.post("/models/" + net + "/checkpoints/epoch-3/fork", ApiExamples.FORK);
        assertThat(fork.status()).isEqualTo(201);
        String forked = fork.body().get("id").stringValue();
        HttpApi.Answer dataset = api.postRaw("/datasets", "application/json", DatasetController.EXAMPLE);
        assertThat(dataset.status()).isEqualTo(201);
        HttpApi.Answer job = api.postRaw("/models/" + net + "/jobs", "application/json", JobController.EXAMPLE);
        assertThat(job.status()).as("createJob's inline example on net: " + job.body()).isEqualTo(202);
        // the dataset example's ids are placeholders (ids are the server's): the ones just created go in their place
        String withDataset = JobController.WITH_DATASET.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", dataset.body().get("id").stringValue());
        HttpApi.Answer datasetJob = api.postRaw("/models/" + forked + "/jobs", "application/json", withDataset);
        assertThat(datasetJob.status()).as("createJob's dataset example on net: " + datasetJob.body()).isEqualTo(202);
    }
}
