package io.paramlab.api;

import io.paramlab.api.Views.ModelInfo;
import io.paramlab.api.Views.ModuleInfo;
import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.Page;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestHeader;

/** Models: create from a spec, list, read, switch train/eval, rename, delete; and their modules. */
@Tag(name = "models")
@RestController
@RequestMapping("/api/v1/models")
class ModelController {
    private final ModelRegistry registry;
    private final ModelOperations operations;

    ModelController(ModelRegistry registry, ModelOperations operations) {
        this.registry = registry;
        this.operations = operations;
    }

    record ModelSummary(String id, String name, String owner, long parameterCount, Instant createdAt, long version, Instant updatedAt) {
    }

    record ModelPatch(Boolean training, @Size(min = 1, max = 200) String name) {
    }

    @Operation(operationId = "createModel", summary = "Create a model from a layer spec",
            description = "Builds the module tree as torch.nn would: Sequential, Linear, activations, norms, nested named blocks, "
                    + "and shared modules by {\"ref\": KEY} (one object: tied parameters). With a seed, parameters are drawn as "
                    + "torch.manual_seed(seed) then the same constructors would draw them. Answers the model with its repr, "
                    + "as print(net) shows it.")
    @ApiResponse(responseCode = "201", description = "Created; Location is the model's URL", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @PostMapping
    ResponseEntity<ModelInfo> create(@io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL_SPEC), examples = {@ExampleObject(name = "net", value = ApiExamples.NET), @ExampleObject(name = "rgnet", value = ApiExamples.RGNET), @ExampleObject(name = "tied", value = ApiExamples.TIED), @ExampleObject(name = "net (seed 1)", value = ApiExamples.NET_SEED_1), @ExampleObject(name = "norms", value = ApiExamples.NORMS)}))
                                     @RequestBody JsonNode spec) {
        LiveModel model = registry.create(spec);
        return ResponseEntity.created(URI.create("/api/v1/models/" + model.id())).body(Views.info(model));
    }

    @Operation(operationId = "listModels", summary = "List the models", description = "The stored models, oldest first: id, name, owner, parameter_count, "
            + "created_at, version, updated_at. Paged: at most `limit` a page, and a Link header (rel=\"next\") while more remain.")
    @ApiResponse(responseCode = "200", description = "A page of models, oldest first", content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.MODEL_SUMMARY))))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @GetMapping
    ResponseEntity<List<ModelSummary>> list(@Parameter(description = "models per page, 1 to 1000") @RequestParam(defaultValue = "100") int limit,
                                            @Parameter(description = "the cursor of the previous page's Link") @RequestParam(required = false) String after) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit", "must be from 1 to 1000, got " + limit);
        }
        Page<io.paramlab.store.ModelSummary> page;
        try {
            page = registry.list(limit, after);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("after", e.getMessage());
        }
        List<ModelSummary> body = page.items().stream().map(m -> new ModelSummary(m.id(), m.name(), m.owner(), m.parameterCount(),
                m.createdAt(), m.version(), m.updatedAt())).toList();
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (page.nextCursor() != null) {
            answer.header(HttpHeaders.LINK, "</api/v1/models?limit=" + limit + "&after=" + page.nextCursor() + ">; rel=\"next\"");
        }
        return answer.body(body);
    }

    @Operation(operationId = "getModel", summary = "Read a model", description = "The model: training (net.training), parameter_count "
            + "(sum(p.numel() for p in net.parameters()), tied parameters once), repr (print(net)), the spec with defaults "
            + "filled in, and the seed its generator started from.")
    @ApiResponse(responseCode = "200", description = "The model", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}")
    ResponseEntity<ModelInfo> get(@PathVariable String id, @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        LiveModel model = registry.get(id);
        ModelInfo info = Views.info(model);
        if (model.heldBy() != null) {
            return ResponseEntity.ok().body(info);   // a job changes it at every step: no version describes what is read
        }
        String etag = Versions.etag(info.version());
        if (Versions.matches(ifNoneMatch, etag)) {
            return ResponseEntity.status(org.springframework.http.HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        return ResponseEntity.ok().eTag(etag).body(info);
    }

    @Operation(operationId = "patchModel", summary = "Switch train/eval mode or rename", description = "{\"training\": false} is net.eval(): Dropout "
            + "passes through and BatchNorm1d uses its running statistics; {\"training\": true} is net.train().")
    @ApiResponse(responseCode = "200", description = "The model after the change", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @PatchMapping("/{id}")
    ModelInfo patch(@PathVariable String id,
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.MODEL_PATCH), examples = {@ExampleObject(name = "eval", value = ApiExamples.PATCH_MODEL)}))
                    @Valid @RequestBody ModelPatch patch) {
        return Views.info(operations.patch(id, patch.training(), patch.name()));
    }

    @Operation(operationId = "deleteModel", summary = "Delete a model", description = "Forgets the model and returns its parameters to the budget of paramlab.limits.max-total-parameters.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        registry.delete(id);
        return ResponseEntity.noContent().build();
    }

    @Operation(operationId = "listModules", summary = "List the modules", description = "net.named_modules(): each module once, root first (path \"\"), "
            + "with its type, its repr and aliases (the other paths a shared module has).")
    @ApiResponse(responseCode = "200", description = "The modules in named_modules() order", content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.MODULE))))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/{id}/modules")
    ResponseEntity<List<ModuleInfo>> modules(jakarta.servlet.http.HttpServletRequest request, @PathVariable String id) {
        LiveModel model = registry.get(id);
        return Versions.versioned(model, request, () -> Views.modules(model));
    }
}
