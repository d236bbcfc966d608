package io.paramlab.api;

import io.paramlab.jobs.JobService;
import io.paramlab.jobs.JobView;
import io.paramlab.spec.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** What a client does with a job once it exists: watch its events, cancel it, resume it. */
@Tag(name = "jobs")
@RestController
@RequestMapping("/api/v1/jobs/{job}")
class JobActionsController {
    private final JobService jobs;

    JobActionsController(JobService jobs) {
        this.jobs = jobs;
    }

    @Operation(operationId = "getJobEvents", summary = "Watch a job", description = "Server-Sent Events: first event: status "
            + "(the job), then event: step {step, epoch, loss, lr} with id: the step, event: epoch {epoch, mean_loss, "
            + "val_loss, val_accuracy}, and event: status at each change of status; the stream ends with the job. "
            + "Last-Event-ID: N also sends the steps (and epoch ends) after step N that the job has done.")
    @ApiResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @GetMapping(value = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String job,
                      @Parameter(description = "resume after this step") @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) {
        Long after = null;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                after = Long.parseLong(lastEventId.trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("Last-Event-ID", "must be a step number, got \"" + Messages.quoted(lastEventId) + "\"");
            }
        }
        SseEmitter emitter = new SseEmitter(0L);   // no timeout: the stream ends with the job
        jobs.events(job, emitter, after);
        return emitter;
    }

    @Operation(operationId = "cancelJob", summary = "Cancel a job", description = "A queued job is cancelled at once; a running "
            + "one stops after the step in progress, its model committed as that step left it (history: job.cancel). 409 "
            + "when the job has ended.")
    @ApiResponse(responseCode = "202", description = "Cancelling; the job as it is now",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.JOB)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @PostMapping("/cancel")
    ResponseEntity<JobView> cancel(@PathVariable String job) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(jobs.cancel(job));
    }

    @Operation(operationId = "resumeJob", summary = "Resume a job", description = "An interrupted or cancelled job is queued "
            + "again and continues from its model's last commit, with the shuffling generator as it was then: the same "
            + "batches, losses and parameters as a run never stopped. 409 for a job in another state, or when the model "
            + "has another job queued or running.")
    @ApiResponse(responseCode = "202", description = "Queued again",
            content = @Content(mediaType = "application/json", schema = @Schema(ref = ApiSchemas.JOB)))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @PostMapping("/resume")
    ResponseEntity<JobView> resume(@PathVariable String job) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(jobs.resume(job));
    }
}
