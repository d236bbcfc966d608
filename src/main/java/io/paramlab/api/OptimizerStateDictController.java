package io.paramlab.api;

import io.paramlab.formats.StateDictFormat;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.model.TrainingOperations;
import io.paramlab.spec.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/** {@code optimizer.state_dict()} and {@code optimizer.load_state_dict()}, as JSON or as a torch.save file. */
@Tag(name = "training")
@RestController
@RequestMapping("/api/v1/models/{id}/optimizer/state-dict")
class OptimizerStateDictController {
    /** {@code torch.optim.SGD(net.parameters(), lr=0.1).state_dict()} for the chapter's net, before any step. */
    static final String SGD_STATE_DICT = """
            {"state": {}, "param_groups": [{"lr": 0.1, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": false,
             "maximize": false, "foreach": null, "differentiable": false, "params": [0, 1, 2, 3]}]}""";

    private final TrainingOperations training;
    private final JsonMapper json;
    private final long maxBodyBytes;

    OptimizerStateDictController(TrainingOperations training, JsonMapper json, ParamlabLimits limits) {
        this.training = training;
        this.json = json;
        this.maxBodyBytes = limits.maxBodySize().toBytes();
    }

    @Operation(summary = "Read the optimizer's state dict", operationId = "getOptimizerStateDict", description = "optimizer."
            + "state_dict() exactly as PyTorch 1.13 builds it: state by parameter index (momentum_buffer, or Adam's step as a "
            + "0-d float32 tensor, exp_avg, exp_avg_sq, max_exp_avg_sq) and param_groups with every key PyTorch's have. "
            + "?format=pt (or Accept: application/octet-stream) answers the file torch.save(optimizer.state_dict(), f) writes.")
    @ApiResponse(responseCode = "200", description = "The state dict", content = {@Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.OPTIMIZER_STATE_DICT)),
            @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping
    ResponseEntity<?> get(@PathVariable String id,
                          @Parameter(description = "json or pt") @RequestParam(required = false) String format,
                          @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        boolean pt = format != null ? choose(format) : accept != null && accept.contains(MediaType.APPLICATION_OCTET_STREAM_VALUE)
                && !accept.contains(MediaType.APPLICATION_JSON_VALUE);
        Map<String, Object> stateDict = training.optimizerStateDict(id);
        if (!pt) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(stateDict);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("optimizer-" + id + StateDictFormat.PT.fileExtension()).build().toString())
                .body(OptimizerStateDicts.toTorchSave(stateDict));
    }

    @Operation(summary = "Load the optimizer's state dict", operationId = "loadOptimizerStateDict", description = "optimizer."
            + "load_state_dict(sd) with PyTorch's checks and messages (group count and sizes), stricter where PyTorch would "
            + "fail later (unknown keys, state shapes). The body is JSON as GET answers it, or a torch.save file (a body "
            + "starting with PK\\x03\\x04); ?key=optimizer_state_dict picks the entry of a general checkpoint. A refused "
            + "dict changes nothing.")
    @ApiResponse(responseCode = "200", description = "Loaded: the optimizer, as GET /optimizer answers it", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.OPTIMIZER)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @PutMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    Map<String, Object> put(@PathVariable String id,
                            @Parameter(description = "the dict entry of a torch.save file to load") @RequestParam(required = false) String key,
                            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {@Content(mediaType = "application/json",
                                    schema = @Schema(ref = ApiSchemas.OPTIMIZER_STATE_DICT), examples = @ExampleObject(name = "SGD(net.parameters(), lr=0.1), no step yet", value = SGD_STATE_DICT)),
                                    @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
                            @RequestBody byte[] body) {
        boolean zip = StateDictFormat.sniffBinary(body, body.length) == StateDictFormat.PT;
        if (key != null && !zip) {
            throw new InvalidInputException("key", "?key= picks an entry of a torch.save file; this body is not one");
        }
        Map<String, Object> stateDict;
        if (zip) {
            stateDict = OptimizerStateDicts.fromTorchSave(body, key, maxBodyBytes);
        } else {
            try {
                stateDict = OptimizerStateDicts.fromJson(json.readTree(body), json);
            } catch (JacksonException e) {
                throw new InvalidInputException("", "the body is neither JSON nor a torch.save file: " + e.getOriginalMessage());
            }
        }
        return training.loadOptimizerStateDict(id, stateDict);
    }

    private static boolean choose(String format) {
        StateDictFormat chosen = StateDictFormat.fromQuery(format);
        if (chosen != StateDictFormat.JSON && chosen != StateDictFormat.PT) {
            throw new InvalidInputException("format", "an optimizer's state dict travels as json or pt, not \"" + format + "\"");
        }
        return chosen == StateDictFormat.PT;
    }
}
