package io.paramlab.api;

import io.paramlab.formats.StateDictFormat;
import io.paramlab.nn.TensorData;
import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.nn.StateDictLoader.Result;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;

/**
 * {@code state_dict()} of any module and {@code load_state_dict(state, strict)}, in JSON,
 * safetensors or torch.save (API.md, "Formats"); the formats' work is in StateDictNegotiation,
 * StateDictExport and StateDictImport.
 */
@Tag(name = "state dict")
@RestController
@RequestMapping("/api/v1/models/{id}/state-dict")
class StateDictController {
    private static final String OCTET = MediaType.APPLICATION_OCTET_STREAM_VALUE;
    private static final String JSON = MediaType.APPLICATION_JSON_VALUE;
    private final ModelRegistry registry;
    private final ModelOperations operations;
    private final JsonMapper json;
    private final long maxBinaryBytes;
    private final long maxParametersPerModel;
    private final io.paramlab.model.StateDicts stateDicts;

    StateDictController(ModelRegistry registry, ModelOperations operations, JsonMapper json, ParamlabLimits limits,
                        io.paramlab.model.StateDicts stateDicts) {
        this.registry = registry;
        this.operations = operations;
        this.json = json;
        this.maxBinaryBytes = limits.maxBinaryBodySize();
        this.maxParametersPerModel = limits.maxParametersPerModel();
        this.stateDicts = stateDicts;
    }

    @Operation(operationId = "getStateDict", summary = "Read a state dict", description = "net[module].state_dict(): JSON in PyTorch's key order "
            + "(each module's parameters, then its buffers, then its children), tied parameters under every key, buffers "
            + "such as BatchNorm1d's running_mean and num_batches_tracked (int64) included. As a file: ?format=safetensors "
            + "(or Accept: application/octet-stream), tied parameters once as safetensors.torch.save_model writes them "
            + "(?tied=copies: a copy under every key), or ?format=pt, torch.save(net[module].state_dict()) with _metadata "
            + "and tied parameters on one storage; both as an attachment named after the model.")
    @ApiResponse(responseCode = "200", description = "The state dict", content = {
            @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STATE_DICT)),
            @Content(mediaType = OCTET, schema = @Schema(type = "string", format = "binary",
                    description = "a .safetensors or a torch.save .pt file"))})
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "406", description = "Accept names neither application/json nor application/octet-stream",
            content = @Content(mediaType = ProblemJson.MEDIA_TYPE, schema = @Schema(ref = ApiSchemas.PROBLEM)))
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @GetMapping
    ResponseEntity<?> get(@PathVariable String id,
                          @Parameter(description = "module path, \"\" for the root", example = "2") @RequestParam(defaultValue = "") String module,
                          @Parameter(description = "json, safetensors or pt; wins over Accept") @RequestParam(required = false) String format,
                          @Parameter(description = "safetensors only: \"copies\" writes every tied key's own copy (for load_file), "
                                  + "\"shared\" (the default) each tied tensor once (for load_model)") @RequestParam(defaultValue = "shared") String tied,
                          HttpServletRequest request, HttpServletResponse response) throws HttpMediaTypeNotAcceptableException {
        StateDictFormat chosen = StateDictNegotiation.forAnswer(format, Collections.list(request.getHeaders("Accept")));
        if (!tied.equals("shared") && !tied.equals("copies")) {
            throw new InvalidInputException("tied", "must be shared or copies, got \"" + Messages.quoted(tied) + "\"");
        }
        LiveModel model = registry.get(id);
        if (chosen == StateDictFormat.JSON) {
            Views.Versioned<Map<String, TensorData>> state = Views.stateDict(model, module);
            if (model.heldBy() != null) {   // a running job: the values change at every step, no ETag
                return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                        .body(state.value());
            }
            String etag = Versions.etag(state.version());
            if (Versions.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
                return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT).build();
            }
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).eTag(etag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                    .body(state.value());
        }
        StateDictExport.write(model, module, chosen, tied.equals("copies"), request, response);
        return null;
    }

    @Operation(operationId = "loadStateDict", summary = "Load a state dict", description = "net[module].load_state_dict(state, strict): answers missing_keys "
            + "and unexpected_keys. With strict, any of them is a 422; a shape mismatch always is. The 422 carries PyTorch's text as "
            + "detail and, as arrays, missing_keys, unexpected_keys and size_mismatches ({key, shape_in_model, shape_in_checkpoint}; "
            + "shape_in_model null for an uninitialized lazy parameter). A refused load loads nothing "
            + "(PyTorch copies the good keys before it raises; paramlab checks everything first). The body is JSON, or "
            + "(Content-Type: application/octet-stream, or ?format=) a safetensors file or a torch.save .pt file (told apart by "
            + "the zip header), parsed whole into new arrays before the model is touched; it may be as large as the largest "
            + "model the limits allow, at 8 bytes an element, plus max-body-size. A .pt's _metadata versions apply as in PyTorch.")
    @ApiResponse(responseCode = "200", description = "Loaded: missing_keys and unexpected_keys", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.LOAD_RESULT)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PutMapping
    Result put(@PathVariable String id,
               @Parameter(description = "module path, \"\" for the root") @RequestParam(defaultValue = "") String module,
               @Parameter(description = "refuse missing and unexpected keys") @RequestParam(defaultValue = "true") boolean strict,
               @Parameter(description = "json, safetensors or pt; wins over Content-Type") @RequestParam(required = false) String format,
               @Parameter(description = "torch.save only: the entry of a checkpoint dict that holds the state dict",
                       example = "model_state_dict") @RequestParam(required = false) String key,
               @Parameter(description = "state-dict:{sid}: load a stored state dict instead of a body",
                       example = "state-dict:3f0c") @RequestParam(required = false) String from,
               @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false, content = {
                       @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.STATE_DICT_INPUT),
                               examples = {@ExampleObject(name = "net's whole state dict", value = ApiExamples.LOAD_NET)}),
                       @Content(mediaType = OCTET, schema = @Schema(type = "string", format = "binary",
                               description = "a .safetensors file, or a torch.save .pt file"))})
               @RequestBody(required = false) StateDictBody body) throws IOException {
        if (from != null) {
            if (body != null) {   // the body was dropped without a word: a load of another state dict than the one sent
                throw new InvalidInputException("from", "give either a body or ?from=, not both: ?from= loads a stored state dict");
            }
            if (!from.startsWith("state-dict:")) {
                throw new InvalidInputException("from", "must be state-dict:{id}, got \"" + Messages.quoted(from) + "\"");
            }
            String sid = from.substring("state-dict:".length());
            io.paramlab.store.StateDictStore.Contents contents = stateDicts.store().contents(sid)
                    .filter(c -> !sid.startsWith("model:")).orElseThrow(() -> io.paramlab.model.StateDicts.notFound(sid));
            registry.get(id);   // 404 for an unknown model before the tensors are read
            Map<String, TensorData> state;
            try {
                state = new io.paramlab.model.StoredTensors(stateDicts.store(), contents).forLoad(maxParametersPerModel,
                        StateDictImport.budget(maxParametersPerModel, "max-parameters-per-model"));
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            return operations.loadStateDict(id, module, state, strict, null);
        }
        if (body == null) {
            throw new InvalidInputException("", "send a state dict (JSON, safetensors or torch.save), or say ?from=state-dict:{id}");
        }
        StateDictImport.Decoded decoded;
        try {
            BufferedInputStream in = new BufferedInputStream(body.message().getBody(), 1 << 16);
            StateDictFormat chosen = StateDictNegotiation.forBody(format, body.contentType(), in);
            decoded = StateDictImport.decode(chosen, in, body.message(), key, maxBinaryBytes, json, () -> {
                LiveModel model = registry.get(id);
                return model.read(() -> new ArrayList<>(ModelOperations.module(model, module).stateDict().keySet()));
            }, StateDictImport.budget(maxParametersPerModel, "max-parameters-per-model"));
        } catch (BodyTooLargeException e) {
            throw e;
        } catch (IOException e) {
            throw StateDictImport.unreadable(e);
        }
        return operations.loadStateDict(id, module, decoded.state(), strict, decoded.versions());
    }
}
