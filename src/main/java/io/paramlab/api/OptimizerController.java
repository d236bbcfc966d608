package io.paramlab.api;

import io.paramlab.api.ComputeController.BackwardRequest;
import io.paramlab.model.TrainingOperations;
import io.paramlab.model.TrainingOperations.SchedulerStepResult;
import io.paramlab.model.TrainingOperations.StepResult;
import io.paramlab.model.TrainingOperations.TrainStepResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model's optimizer (torch.optim of 1.13) and the steps it takes: step, scheduler step, train step. */
@Tag(name = "training")
@RestController
@RequestMapping("/api/v1/models/{id}")
class OptimizerController {
    static final String SGD = """
            {"type": "SGD", "lr": 0.1, "momentum": 0.9}""";
    static final String GROUPS = """
            {"type": "Adam", "lr": 0.001, "param_groups": [{"params": ["0.weight", "0.bias"], "lr": 0.01}, {"module": "2"}],
             "scheduler": {"type": "StepLR", "step_size": 30, "gamma": 0.1}}""";
    static final String TRAIN_STEP = """
            {"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], "target": [[1.0], [0.0]], "loss": "mse"}""";

    private final TrainingOperations training;

    OptimizerController(TrainingOperations training) {
        this.training = training;
    }

    record StepResponse(long stepCount, List<Number> lr) {
    }

    record SchedulerStepResponse(long lastEpoch, List<Number> lr) {
    }

    record TrainStepResponse(float loss, long stepCount) {
    }

    @Operation(summary = "Set the optimizer", operationId = "putOptimizer", description = "torch.optim.SGD, Adam or AdamW "
            + "over the model's parameters (param_groups by parameter names or module path, each may override any option) "
            + "and an optional scheduler (StepLR, ExponentialLR, CosineAnnealingLR), with PyTorch 1.13's defaults and "
            + "checks. Replaces any earlier optimizer and its state. A model with uninitialized lazy parameters answers 422: "
            + "run a forward first.")
    @ApiResponse(responseCode = "200", description = "The optimizer, as GET answers it", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.OPTIMIZER)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PutMapping("/optimizer")
    Map<String, Object> put(@PathVariable String id,
                            @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", examples = {@ExampleObject(name = "SGD with momentum", value = SGD), @ExampleObject(name = "Adam, two groups, StepLR", value = GROUPS)}))
                            @RequestBody LinkedHashMap<String, Object> spec) {
        return training.setOptimizer(id, spec);
    }

    @Operation(summary = "Read the optimizer", operationId = "getOptimizer", description = "type, options, param_groups (each "
            + "with its parameter names and current options, lr included; initial_lr once a scheduler exists), scheduler "
            + "(options, last_epoch, base_lrs, last_lr) or null, and step_count.")
    @ApiResponse(responseCode = "200", description = "The optimizer", content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.OPTIMIZER)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/optimizer")
    Map<String, Object> get(@PathVariable String id) {
        return training.describe(id);
    }

    @Operation(summary = "Delete the optimizer", operationId = "deleteOptimizer", description = "Drops the optimizer, its "
            + "scheduler and their state; parameters and gradients stay as they are.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @DeleteMapping("/optimizer")
    ResponseEntity<Void> delete(@PathVariable String id) {
        training.deleteOptimizer(id);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Optimizer step", operationId = "step", description = "optimizer.step() with the gradients as they "
            + "are; a parameter whose grad is null is skipped, as in PyTorch. Records each stepped parameter's update_ratio "
            + "(see the statistics). 409 when the model has no optimizer.")
    @ApiResponse(responseCode = "200", description = "step_count and each group's lr", content = @Content(mediaType = "application/json", schema = @Schema(ref = "StepResponse")))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @PostMapping("/step")
    StepResponse step(@PathVariable String id) {
        StepResult result = training.step(id);
        return new StepResponse(result.stepCount(), result.lr());
    }

    @Operation(summary = "Scheduler step", operationId = "schedulerStep", description = "scheduler.step(): the groups' lrs "
            + "move as PyTorch 1.13's chainable form computes them. 409 without an optimizer or without a scheduler.")
    @ApiResponse(responseCode = "200", description = "last_epoch and each group's lr", content = @Content(mediaType = "application/json", schema = @Schema(ref = "SchedulerStepResponse")))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @PostMapping("/scheduler-step")
    SchedulerStepResponse schedulerStep(@PathVariable String id) {
        SchedulerStepResult result = training.schedulerStep(id);
        return new SchedulerStepResponse(result.lastEpoch(), result.lr());
    }

    @Operation(summary = "Train step", operationId = "trainStep", description = "optimizer.zero_grad() (zeros, 1.13's "
            + "default), loss_fn(net(input), target).backward(), optimizer.step(), atomically: a failure anywhere (a target "
            + "of the wrong shape) changes nothing, gradients and optimizer state included. The body is backward's.")
    @ApiResponse(responseCode = "200", description = "The loss before the step and the step count", content = @Content(mediaType = "application/json", schema = @Schema(ref = "TrainStepResponse")))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PostMapping("/train-step")
    TrainStepResponse trainStep(@PathVariable String id,
                                @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json", examples = {@ExampleObject(name = "mse", value = TRAIN_STEP)}))
                                @Valid @RequestBody BackwardRequest request) {
        io.paramlab.model.Loss loss = ComputeController.loss(request);
        TrainStepResult result = training.trainStep(id, request.call(), request.target(), loss,
                io.paramlab.model.LossOptions.parse(loss, request.lossOptions()));
        return new TrainStepResponse(result.loss(), result.stepCount());
    }
}
