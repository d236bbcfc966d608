package io.paramlab.api;

import io.paramlab.formats.StateDictFormat;
import io.paramlab.model.CheckpointOperations;
import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.StateDiff;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.Checkpoint;
import io.paramlab.store.ModelState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** What a checkpoint holds, read back: its state dict in any format, and how two states of a model differ. */
@Tag(name = "checkpoints")
@RestController
class CheckpointStateController {
    private final CheckpointOperations checkpoints;
    private final ModelRegistry registry;

    CheckpointStateController(CheckpointOperations checkpoints, ModelRegistry registry) {
        this.checkpoints = checkpoints;
        this.registry = registry;
    }

    @Operation(operationId = "getCheckpointStateDict", summary = "Read a checkpoint's state dict", description = "The state dict as "
            + "it was at the checkpoint, in the formats of the live one (getStateDict): JSON, ?format=safetensors (or "
            + "Accept: application/octet-stream; ?tied=copies) or ?format=pt, byte for byte what the live export gave at "
            + "that version. A checkpoint never changes, so its ETag is its id (with the format).")
    @ApiResponse(responseCode = "200", description = "The state dict", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(ref = ApiSchemas.STATE_DICT)),
            @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary",
                    description = "a .safetensors or a torch.save .pt file"))})
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "406", description = "Accept names neither application/json nor application/octet-stream",
            content = @Content(mediaType = ProblemJson.MEDIA_TYPE))
    @GetMapping("/api/v1/models/{id}/checkpoints/{c}/state-dict")
    ResponseEntity<?> stateDict(@PathVariable String id, @PathVariable String c,
                                @Parameter(description = "json, safetensors or pt; wins over Accept") @RequestParam(required = false) String format,
                                @Parameter(description = "safetensors only: \"copies\" or \"shared\" (the default), as for the live state dict")
                                @RequestParam(defaultValue = "shared") String tied,
                                HttpServletRequest request, HttpServletResponse response) throws HttpMediaTypeNotAcceptableException {
        StateDictFormat chosen = StateDictNegotiation.forAnswer(format, Collections.list(request.getHeaders(HttpHeaders.ACCEPT)));
        if (!tied.equals("shared") && !tied.equals("copies")) {
            throw new InvalidInputException("tied", "must be shared or copies, got \"" + Messages.quoted(tied) + "\"");
        }
        Checkpoint checkpoint = checkpoints.get(id, c);
        String etag = "\"" + checkpoint.id() + (chosen == StateDictFormat.JSON ? "" : chosen == StateDictFormat.PT ? "-pt" : "-safetensors") + "\"";
        if (Versions.matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT).build();
        }
        ModelState state = checkpoints.state(id, checkpoint.id());
        if (chosen == StateDictFormat.JSON) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).eTag(etag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                    .body(state.stateDict());
        }
        // _metadata comes from the model's module tree: its paths and versions are the spec's, as at the checkpoint
        LiveModel model = registry.get(id);
        Map<String, Map<String, Object>> metadata = model.read(() -> StateDictExport.metadata(model.root()));
        response.setHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT);
        StateDictExport.writeStored(state.stateDict(), metadata, chosen, tied.equals("copies"), state.name(), id, etag, response);
        return null;
    }

    @Operation(operationId = "diff", summary = "Compare two states of a model", description = "from and to are checkpoint ids or "
            + "tags, or live (the model now). Per state_dict key, in state_dict order: shape, changed_elements, max_abs_diff, "
            + "l2_diff (‖B−A‖₂) and relative_l2 (‖B−A‖₂ / ‖A‖₂, null when ‖A‖₂ is 0). Shapes that differ: 422.")
    @ApiResponse(responseCode = "200", description = "One entry per state-dict key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, array = @ArraySchema(schema = @Schema(ref = ApiSchemas.DIFF_ENTRY))))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @GetMapping("/api/v1/models/{id}/diff")
    List<StateDiff.Entry> diff(@PathVariable String id,
                               @Parameter(description = "A: a checkpoint id or tag, or live", example = "epoch-3") @RequestParam String from,
                               @Parameter(description = "B: a checkpoint id or tag, or live", example = "live") @RequestParam String to) {
        Map<String, TensorData> a = checkpoints.stateDict(id, from);
        Map<String, TensorData> b = checkpoints.stateDict(id, to);
        return StateDiff.of(a, b);
    }
}
