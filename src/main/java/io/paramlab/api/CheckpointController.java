package io.paramlab.api;

import io.paramlab.api.Views.ModelInfo;
import io.paramlab.model.CheckpointOperations;
import io.paramlab.model.LiveModel;
import io.paramlab.store.Checkpoint;
import io.paramlab.tensor.Allocation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Checkpoints of a model: take, list, read, restore, fork, delete (API.md, "Checkpoints"). */
@Tag(name = "checkpoints")
@RestController
@RequestMapping("/api/v1/models/{id}/checkpoints")
class CheckpointController {
    private static final String JSON = "application/json";
    private final CheckpointOperations checkpoints;
    private final io.paramlab.store.StateDictStore states;

    CheckpointController(CheckpointOperations checkpoints, io.paramlab.store.StateDictStore states) {
        this.checkpoints = checkpoints;
        this.states = states;
    }

    /**
     * A restore or a fork reads the checkpoint's values into new arrays, and a restore's change saves the model's
     * values beside them for its rollback: both are charged to max-inflight-activation-elements (what the requests
     * in flight hold together), each before it is allocated. This holds the checkpoint's share, from the stored
     * shapes (4 bytes an element), until the scope closes; the change charges its rollback copy as it starts. A
     * refusal is a 413 naming the limit, with nothing read and nothing changed.
     */
    private Allocation.Scope holdStateRead(String id, String c) {
        Checkpoint found = checkpoints.get(id, c);
        long bytes = io.paramlab.model.StoredTensors.loadBytes(states.contents("model:" + id + "@" + found.id())
                .map(io.paramlab.store.StateDictStore.Contents::tensors).orElse(java.util.List.of()));
        return Allocation.hold((bytes + Float.BYTES - 1) / Float.BYTES);
    }

    /** The tag's rules (1-100 characters, not {@code live}, not id-shaped) are checked by CheckpointOperations. */
    record CheckpointRequest(String tag, @Size(max = 1000) String message) {
    }

    record ForkRequest(@Size(min = 1, max = 200) String name) {
    }

    record CheckpointInfo(String id, String tag, String message, long modelVersion, Instant createdAt, long parameterCount,
                          long bytes) {
        static CheckpointInfo of(Checkpoint c) {
            return new CheckpointInfo(c.id(), c.tag(), c.message(), c.modelVersion(), c.createdAt(), c.parameterCount(), c.bytes());
        }
    }

    @Operation(operationId = "createCheckpoint", summary = "Checkpoint a model", description = "An immutable copy of the model's "
            + "state_dict(), optimizer and scheduler state, generator state and training flag at its current version; the "
            + "model's version does not change. bytes is what the checkpoint adds to the store: 0 when no tensor changed "
            + "since an earlier checkpoint. A model with uninitialized lazy parameters is refused (409: run a forward first).")
    @ApiResponse(responseCode = "201", description = "Created; Location is the checkpoint's URL",
            content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.CHECKPOINT)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PostMapping
    ResponseEntity<CheckpointInfo> create(@PathVariable String id,
                                          @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false, content = @Content(
                                                  mediaType = JSON, schema = @Schema(ref = ApiSchemas.CHECKPOINT_REQUEST),
                                                  examples = @ExampleObject(name = "tagged", value = ApiExamples.CHECKPOINT)))
                                          @Valid @RequestBody(required = false) CheckpointRequest body) {
        CheckpointRequest request = body == null ? new CheckpointRequest(null, null) : body;
        Checkpoint c = checkpoints.create(id, request.tag(), request.message());
        return ResponseEntity.created(URI.create("/api/v1/models/" + id + "/checkpoints/" + c.id())).body(CheckpointInfo.of(c));
    }

    @Operation(operationId = "listCheckpoints", summary = "List a model's checkpoints", description = "Oldest first.")
    @ApiResponse(responseCode = "200", description = "The checkpoints, oldest first",
            content = @Content(mediaType = JSON, array = @ArraySchema(schema = @Schema(ref = ApiSchemas.CHECKPOINT))))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping
    List<CheckpointInfo> list(@PathVariable String id) {
        return checkpoints.list(id).stream().map(CheckpointInfo::of).toList();
    }

    @Operation(operationId = "getCheckpoint", summary = "Read a checkpoint", description = "{c} is the checkpoint's id or its tag.")
    @ApiResponse(responseCode = "200", description = "The checkpoint",
            content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.CHECKPOINT)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{c}")
    CheckpointInfo get(@PathVariable String id, @PathVariable String c) {
        return CheckpointInfo.of(checkpoints.get(id, c));
    }

    @Operation(operationId = "restoreCheckpoint", summary = "Restore a checkpoint", description = "Sets the checkpoint's state dict, "
            + "optimizer and scheduler state (none when it had none), generator state and training flag, atomically, as one "
            + "version step (history: checkpoint.restore). Gradients, name and requires_grad are untouched, as "
            + "load_state_dict leaves .grad. Takes If-Match.")
    @ApiResponse(responseCode = "200", description = "The model after the restore",
            content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.MODEL)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "412", ref = "#/components/responses/PreconditionFailed")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @PostMapping("/{c}/restore")
    ResponseEntity<ModelInfo> restore(@PathVariable String id, @PathVariable String c) {
        ModelInfo info;
        try (Allocation.Scope held = holdStateRead(id, c)) {
            info = Views.info(checkpoints.restore(id, c));
        }
        return ResponseEntity.ok().eTag(Versions.etag(info.version())).body(info);
    }

    @Operation(operationId = "forkCheckpoint", summary = "Fork a checkpoint into a new model", description = "A new model with the "
            + "same spec and the checkpoint's state (values, requires_grad, optimizer, generator, mode) and a history of its "
            + "own; name absent: the model's name when the checkpoint was taken. Counts against paramlab.limits.max-models.")
    @ApiResponse(responseCode = "201", description = "Created; Location is the new model's URL",
            content = @Content(mediaType = JSON, schema = @Schema(ref = ApiSchemas.MODEL)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PostMapping("/{c}/fork")
    ResponseEntity<ModelInfo> fork(@PathVariable String id, @PathVariable String c,
                                   @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false, content = @Content(
                                           mediaType = JSON, schema = @Schema(ref = ApiSchemas.FORK_REQUEST),
                                           examples = @ExampleObject(name = "fork", value = ApiExamples.FORK)))
                                   @Valid @RequestBody(required = false) ForkRequest body) {
        LiveModel fork;
        try (Allocation.Scope held = holdStateRead(id, c)) {
            fork = checkpoints.fork(id, c, body == null ? null : body.name());
        }
        return ResponseEntity.created(URI.create("/api/v1/models/" + fork.id())).body(Views.info(fork));
    }

    @Operation(operationId = "deleteCheckpoint", summary = "Delete a checkpoint", description = "The model's version does not "
            + "change; tensor chunks nothing else references are reclaimed.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @DeleteMapping("/{c}")
    ResponseEntity<Void> delete(@PathVariable String id, @PathVariable String c) {
        checkpoints.delete(id, c);
        return ResponseEntity.noContent().build();
    }
}
