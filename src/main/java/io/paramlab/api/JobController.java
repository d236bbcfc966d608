package io.paramlab.api;

import io.paramlab.jobs.JobRequest;
import io.paramlab.jobs.JobService;
import io.paramlab.jobs.JobView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

/** Training jobs: start one on a model, read them and their history (API.md "Jobs"). */
@Tag(name = "jobs")
@RestController
@RequestMapping("/api/v1")
class JobController {
    static final String EXAMPLE = """
            {"data": {"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 0.1, 0.2, 0.3],
                                [0.4, 0.5, 0.6, 0.7], [0.8, 0.9, 0.1, 0.2], [0.3, 0.4, 0.5, 0.6]],
                      "target": [[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]]},
             "loss": "mse", "epochs": 3, "batch_size": 4, "shuffle": true, "seed": 0}""";
    static final String WITH_DATASET = """
            {"dataset": "3f0a8c52-1d5e-4b7a-9a57-0d1c2e3f4a5b", "loss": "mse", "epochs": 5, "batch_size": 2, "seed": 0,
             "scheduler_step": "epoch", "validation": {"dataset": "9b1e6f3a-2c4d-4e5f-8a7b-6c5d4e3f2a1b"}}""";
    private final JobService jobs;

    JobController(JobService jobs) {
        this.jobs = jobs;
    }

    @Operation(operationId = "createJob", summary = "Start a training job", description = "PyTorch's canonical loop on the "
            + "model with its optimizer: per epoch, for xb, yb in DataLoader(TensorDataset(X, y), batch_size, shuffle, "
            + "generator=torch.Generator().manual_seed(seed), drop_last): zero_grad, loss_fn(model(xb), yb).backward(), step "
            + "(and scheduler.step() per step or per epoch). Same batches, losses and parameters as PyTorch 1.13. Data: "
            + "a dataset's id, or inline data. The model is committed at each epoch's end (history: job.epoch); while the "
            + "job runs, every change of the model is 409. 409 without an optimizer, or while the model has a queued or "
            + "running job. Before it is queued, one sample goes through the model and the loss (a dry forward, eval-like under "
            + "no_grad: nothing changes): data whose shapes do not fit is 422 naming the field. checkpoint_every N makes a checkpoint tagged job-<id>-epoch-<n> every N epochs.")
    @ApiResponse(responseCode = "202", description = "Queued; Location is the job's URL",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.JOB)))
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/TooLarge")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @PostMapping("/models/{id}/jobs")
    ResponseEntity<JobView> create(@PathVariable String id,
                                   @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
                                           schema = @Schema(ref = ApiSchemas.JOB_REQUEST), examples = {
                                           @ExampleObject(name = "inline data", value = EXAMPLE),
                                           @ExampleObject(name = "a dataset, with validation", summary = "put the ids POST /datasets answered (e.g. for its net-data example)", value = WITH_DATASET)}))
                                   @RequestBody JobRequest request) {
        JobView job = jobs.create(id, request);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/jobs/" + job.id())).body(job);
    }

    @Operation(operationId = "listJobs", summary = "List the jobs", description = "Every job, oldest first.")
    @ApiResponse(responseCode = "200", description = "The jobs",
            content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.JOB))))
    @GetMapping("/jobs")
    List<JobView> list() {
        return jobs.list(null);
    }

    @Operation(operationId = "listModelJobs", summary = "List a model's jobs", description = "The model's jobs, oldest first.")
    @ApiResponse(responseCode = "200", description = "The jobs",
            content = @Content(mediaType = "application/json", array = @ArraySchema(schema = @Schema(ref = ApiSchemas.JOB))))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/models/{id}/jobs")
    List<JobView> listOfModel(@PathVariable String id) {
        return jobs.list(id);
    }

    @Operation(operationId = "getJob", summary = "Read a job", description = "status (queued, running, succeeded, failed, "
            + "cancelled, interrupted), epoch and step (completed), total_steps, loss (the last step's), times, error.")
    @ApiResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.JOB)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/jobs/{job}")
    JobView get(@PathVariable String job) {
        return jobs.get(job);
    }

    @Operation(operationId = "getJobHistory", summary = "Read a job's history", description = "step_loss and lr (the groups' "
            + "lrs that step used) per step; epoch_loss (the mean of the epoch's step losses), val_loss and val_accuracy "
            + "(cross_entropy only, else null) per epoch.")
    @ApiResponse(responseCode = "200", description = "The history",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.JOB_HISTORY)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping("/jobs/{job}/history")
    JobView.History history(@PathVariable String job) {
        return jobs.history(job);
    }
}
