package io.paramlab.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.paramlab.model.ForwardCall;
import io.paramlab.model.Loss;
import io.paramlab.model.LossOptions;
import io.paramlab.model.ModelOperations;
import io.paramlab.model.ModelOperations.BackwardResult;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** Forward passes, backward passes that accumulate gradients, and zero_grad. */
@Tag(name = "compute")
@RestController
@RequestMapping("/api/v1/models/{id}")
class ComputeController {
    private final ModelOperations operations;

    ComputeController(ModelOperations operations) {
        this.operations = operations;
    }

    /** {@code input}, or {@code inputs} (positional, null entries for None), and {@code kwargs}. */
    record ForwardRequest(TensorData input, List<TensorData> inputs, Map<String, TensorData> kwargs, String module) {
        ForwardCall call() {
            return ForwardCall.of(input, inputs, kwargs);
        }
    }

    /** {@code output}: a tensor, or a list for a tuple (nested as it nests, null for None). */
    record ForwardResponse(Object output) {
    }

    record BackwardRequest(TensorData input, List<TensorData> inputs, Map<String, TensorData> kwargs, TensorData target,
                           @NotNull String loss, @JsonProperty("loss_options") Map<String, Object> lossOptions) {
        ForwardCall call() {
            return ForwardCall.of(input, inputs, kwargs);
        }
    }

    record BackwardResponse(float loss, Object output) {
    }

    @Operation(operationId = "forward", summary = "Forward pass", description = "with torch.no_grad(): net[module](input). No graph is kept. In training "
            + "mode Dropout drops and BatchNorm1d uses batch statistics and moves its running ones, as in PyTorch.")
    @ApiResponse(responseCode = "200", description = "The output", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.FORWARD_RESPONSE)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PostMapping("/forward")
    ForwardResponse forward(@PathVariable String id,
                            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.FORWARD_REQUEST), examples = {@ExampleObject(name = "net(X)", value = ApiExamples.FORWARD), @ExampleObject(name = "net[0](X)", value = ApiExamples.FORWARD_MODULE)}))
                            @RequestBody ForwardRequest request) {
        return new ForwardResponse(operations.forward(id, request.module() == null ? "" : request.module(), request.call()));
    }

    @Operation(operationId = "backward", summary = "Backward pass", description = "loss_fn(net(input), target).backward(): gradients accumulate into every "
            + "parameter's grad (a tied parameter gets the sum over its uses) until zero-grad. Losses, reduction='mean': sum "
            + "(output.sum()), mean, mse, l1, cross_entropy (target: int64 class indices; -100 is ignored, as PyTorch's "
            + "default ignore_index), bce_with_logits (target: float32, the output's shape).")
    @ApiResponse(responseCode = "200", description = "The loss and the output; gradients accumulated", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.BACKWARD_RESPONSE)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PostMapping("/backward")
    BackwardResponse backward(@PathVariable String id,
                              @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.BACKWARD_REQUEST), examples = {@ExampleObject(name = "net(X).sum().backward()", value = ApiExamples.BACKWARD_SUM), @ExampleObject(name = "mse", value = ApiExamples.BACKWARD_MSE)}))
                              @Valid @RequestBody BackwardRequest request) {
        Loss loss = loss(request);
        BackwardResult result = operations.backward(id, request.call(), request.target(), loss, LossOptions.parse(loss, request.lossOptions()));
        return new BackwardResponse(result.loss(), result.output());
    }

    /** The request's loss, checked against its target; a train step's body is the same. */
    static Loss loss(BackwardRequest request) {
        Loss loss = Loss.byName(request.loss()).orElseThrow(() -> new InvalidInputException("loss",
                "unknown loss \"" + request.loss() + "\"; known: " + Loss.names()));
        if (loss.needsTarget() && request.target() == null) {
            throw new InvalidInputException("target", "loss \"" + loss.apiName() + "\" needs a target");
        }
        if (!loss.needsTarget() && request.target() != null) {
            throw new InvalidInputException("target", "loss \"" + loss.apiName() + "\" takes no target");
        }
        return loss;
    }

    @Operation(operationId = "zeroGrad", summary = "Zero the gradients", description = "net.zero_grad(set_to_none=False): every grad becomes zeros.")
    @ApiResponse(responseCode = "204", description = "Done")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @PostMapping("/zero-grad")
    ResponseEntity<Void> zeroGrad(@PathVariable String id) {
        operations.zeroGrad(id);
        return ResponseEntity.noContent().build();
    }
}
