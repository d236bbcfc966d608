package io.paramlab.api;

import io.paramlab.formats.StateDictFormat;
import io.paramlab.jobs.DatasetService;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.JobStore.DatasetRecord;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Datasets: {@code TensorDataset(input, target)} kept in the store for jobs to train and validate on. */
@Tag(name = "jobs")
@RestController
@RequestMapping("/api/v1/datasets")
class DatasetController {
    static final String EXAMPLE = """
            {"name": "net-data", "input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 0.1, 0.2, 0.3], [0.4, 0.5, 0.6, 0.7]],
             "target": [[1.0], [0.0], [1.0], [0.0]]}""";
    private final DatasetService datasets;
    private final JsonMapper json;
    private final long maxBinaryBytes;
    private final long maxDatasetElements;

    DatasetController(DatasetService datasets, JsonMapper json, ParamlabLimits limits) {
        this.datasets = datasets;
        this.json = json;
        this.maxBinaryBytes = limits.maxBinaryBodySize();
        this.maxDatasetElements = limits.maxDatasetElements();
    }

    /** The JSON body. */
    record DatasetBody(String name, TensorData input, TensorData target) {
    }

    @Operation(operationId = "createDataset", summary = "Upload a dataset", description = "TensorDataset(input, target): JSON "
            + "{name, input, target}, or (Content-Type: application/octet-stream, or ?format=) a safetensors or torch.save file "
            + "holding tensors named input and target, named by ?name=. input and target share their first dimension (the "
            + "samples); their elements together are bounded by paramlab.limits.max-dataset-elements (413).")
    @ApiResponse(responseCode = "201", description = "Created; Location is the dataset's URL",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.DATASET)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PostMapping
    ResponseEntity<DatasetRecord> create(
            @Parameter(description = "the name, for a file body") @RequestParam(required = false) String name,
            @Parameter(description = "json, safetensors or pt; wins over Content-Type") @RequestParam(required = false) String format,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.DATASET_INPUT),
                            examples = @ExampleObject(name = "net-data", summary = "four samples for the walkthrough's net (4 features, 1 output)", value = EXAMPLE)),
                    @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary",
                            description = "a .safetensors or torch.save .pt file with tensors input and target"))})
            @RequestBody StateDictBody body) throws IOException {
        DatasetRecord created;
        try {
            BufferedInputStream in = new BufferedInputStream(body.message().getBody(), 1 << 16);
            StateDictFormat chosen = StateDictNegotiation.forBody(format, body.contentType(), in);
            if (chosen == StateDictFormat.JSON) {
                DatasetBody parsed = json(in, body);
                created = datasets.create(parsed.name() != null ? parsed.name() : name, parsed.input(), parsed.target());
            } else {
                Map<String, TensorData> tensors = StateDictImport.decode(chosen, in, body.message(), null, maxBinaryBytes, json,
                        List::of, StateDictImport.budget(maxDatasetElements, "max-dataset-elements")).state();
                created = datasets.create(name, tensors.get("input"), tensors.get("target"));
            }
        } catch (BodyTooLargeException e) {
            throw e;
        } catch (IOException e) {
            throw StateDictImport.unreadable(e);
        }
        return ResponseEntity.created(URI.create("/api/v1/datasets/" + created.id())).body(created);
    }

    private DatasetBody json(BufferedInputStream in, StateDictBody body) {
        DatasetBody parsed;
        try {
            parsed = json.readValue(in, DatasetBody.class);
        } catch (JacksonException e) {
            throw new HttpMessageNotReadableException("JSON parse error: " + e.getOriginalMessage(), e, body.message());
        }
        if (parsed == null) {
            throw new InvalidInputException("", "the dataset must be a JSON object {\"name\", \"input\", \"target\"}, got null");
        }
        return parsed;
    }

    @Operation(operationId = "listDatasets", summary = "List the datasets", description = "Every dataset, oldest first "
            + "(a job's inline data is not listed).")
    @ApiResponse(responseCode = "200", description = "The datasets",
            content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.DATASET))))
    @GetMapping
    List<DatasetRecord> list() {
        return datasets.list();
    }

    @Operation(operationId = "getDataset", summary = "Read a dataset's description", description = "id, name, size (the first "
            + "dimension), input_shape, target_shape, target_dtype, bytes and created_at; the values are not sent back.")
    @ApiResponse(responseCode = "200", description = "The dataset",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.DATASET)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}")
    DatasetRecord get(@PathVariable String id) {
        return datasets.get(id);
    }

    @Operation(operationId = "deleteDataset", summary = "Delete a dataset", description = "Refused (409) while a queued or "
            + "running job trains or validates on it.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        datasets.delete(id);
        return ResponseEntity.noContent().build();
    }
}
