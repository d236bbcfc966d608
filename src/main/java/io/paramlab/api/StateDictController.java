package io.paramlab.api;

import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelRegistry;
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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code state_dict()} of any module, and {@code load_state_dict(state, strict)}. */
@Tag(name = "state dict")
@RestController
@RequestMapping("/api/v1/models/{id}/state-dict")
class StateDictController {
    private final ModelRegistry registry;
    private final ModelOperations operations;

    StateDictController(ModelRegistry registry, ModelOperations operations) {
        this.registry = registry;
        this.operations = operations;
    }

    @Operation(operationId = "getStateDict", summary = "Read a state dict", description = "net[module].state_dict(): an object in PyTorch's key order "
            + "(each module's parameters, then its buffers, then its children), tied parameters under every key, buffers "
            + "such as BatchNorm1d's running_mean and num_batches_tracked (int64) included.")
    @ApiResponse(responseCode = "200", description = "The state dict, in PyTorch's key order", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.STATE_DICT)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping
    Map<String, TensorData> get(@PathVariable String id,
                                @Parameter(description = "module path, \"\" for the root", example = "2") @RequestParam(defaultValue = "") String module) {
        return Views.stateDict(registry.get(id), module);
    }

    @Operation(operationId = "loadStateDict", summary = "Load a state dict", description = "net[module].load_state_dict(state, strict): answers missing_keys "
            + "and unexpected_keys. With strict, any of them is a 422; a shape mismatch always is. A refused load loads nothing "
            + "(PyTorch copies the good keys before it raises; paramlab checks everything first).")
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
                   @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.STATE_DICT_INPUT), examples = {@ExampleObject(name = "net's whole state dict", value = ApiExamples.LOAD_NET)}))
                   @RequestBody LinkedHashMap<String, TensorData> state) {
        state.forEach((key, value) -> {
            if (value == null) {
                throw new InvalidInputException(key, "must be a tensor, got null");
            }
        });
        return operations.loadStateDict(id, module, state, strict, null);   // JSON has no _metadata
    }
}
