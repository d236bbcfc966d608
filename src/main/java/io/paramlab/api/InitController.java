package io.paramlab.api;

import io.paramlab.model.ModelOperations;
import io.paramlab.nn.Initialization.Applied;
import io.paramlab.spec.InitSpecParser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** {@code net[module].apply(init_fn)} for a list of rules, reproducible under a seed. */
@Tag(name = "init")
@RestController
class InitController {
    private final ModelOperations operations;

    InitController(ModelOperations operations) {
        this.operations = operations;
    }

    record InitResponse(List<Applied> initialized) {
    }

    @Operation(operationId = "initModel", summary = "Initialize parameters", description = "Each rule is net[module].apply(fn), children before parents, "
            + "as PyTorch walks it (a module held by two different parents is visited under each); fn skips modules whose type is not in layer_types and initializes each named local parameter "
            + "with an nn.init policy. seed restarts the model's generator first, as torch.manual_seed(seed) right before the "
            + "same calls, so the numbers are PyTorch's. Answers what was initialized, in order, like the chapter's my_init "
            + "printing 'Init weight torch.Size([8, 4])'. A failure anywhere changes nothing.")
    @ApiResponse(responseCode = "200", description = "What was initialized, in the order applied", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.INIT_RESPONSE)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PostMapping("/api/v1/models/{id}/init")
    InitResponse init(@PathVariable String id,
                      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.INIT_REQUEST), examples = {@ExampleObject(name = "init_normal", value = ApiExamples.INIT_NORMAL), @ExampleObject(name = "init_constant", value = ApiExamples.INIT_CONSTANT), @ExampleObject(name = "xavier on net[0], 42 on net[2]", value = ApiExamples.INIT_XAVIER_42), @ExampleObject(name = "my_init", value = ApiExamples.MY_INIT)}))
                      @RequestBody JsonNode request) {
        return new InitResponse(operations.init(id, InitSpecParser.parse(request)));
    }
}
