package io.paramlab.api;

import io.paramlab.formats.FormatException;
import io.paramlab.model.ConflictException;
import io.paramlab.model.ForbiddenException;
import io.paramlab.model.QuotaExceededException;
import io.paramlab.model.NotFoundException;
import io.paramlab.model.PreconditionFailedException;
import io.paramlab.optim.OptimizerException;
import io.paramlab.model.UnprocessableException;
import io.paramlab.spec.FieldError;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.tensor.DeadlineExceededException;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.TensorTooLargeException;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The one place where failures become RFC 9457 problem details: a stable {@code type} per
 * problem, a human title, the PyTorch-worded detail, and the fields and numbers at fault.
 * Spring MVC's own errors get their {@code type} here too, and {@link ProblemJson} writes these
 * same problems for the body filter and for the requests Jetty refuses itself.
 */
@RestControllerAdvice
class Problems extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    static URI type(String slug) {
        return URI.create("urn:paramlab:problem:" + slug);
    }

    static ProblemDetail problem(HttpStatusCode status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, Messages.wholeCharacters(detail));
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    /** The problem for a status alone, as Spring MVC and Jetty name it; {@code reason} is their wording. */
    static ProblemDetail forStatus(int status, String reason) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        return problem(HttpStatusCode.valueOf(status), slug(status), title, JettyProblemErrors.explained(status, reason));
    }

    /** The {@code type} of a problem known only by its status. */
    static String slug(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 409 -> "conflict";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 408 -> "request-timeout";
            case 413, 414, 431 -> "limit-exceeded";
            case 415 -> "unsupported-media-type";
            case 422 -> "not-computable";
            case 500 -> "internal-error";
            case 503 -> "unavailable";
            default -> "http-" + status;
        };
    }

    static ProblemDetail invalid(String detail, List<FieldError> errors, int errorsTotal) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.setProperty("errors", errors.stream()
                .map(e -> new FieldError(Messages.wholeCharacters(e.field()), Messages.wholeCharacters(e.message())))
                .toList());
        if (errorsTotal > errors.size()) {
            problem.setProperty("errors_total", errorsTotal);
        }
        return problem;
    }

    static ProblemDetail invalid(String detail, List<FieldError> errors) {
        return invalid(detail, errors, errors.size());
    }

    /** A 413 with the limit's name, the number asked for (when known) and the configured maximum. */
    static ProblemDetail overLimit(String slug, String title, String detail, String limit, Long actual, long maximum) {
        ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, slug, title, detail);
        problem.setProperty("limit", limit);
        if (actual != null) {
            problem.setProperty("actual", actual);
        }
        problem.setProperty("maximum", maximum);
        return problem;
    }

    /** A body over paramlab.limits.max-body-size; {@code actual} is null when it was found while streaming. */
    static ProblemDetail bodyTooLarge(Long actual, long maximum) {
        String detail = actual == null
                ? "the request body is larger than " + maximum + " bytes (paramlab.limits.max-body-size)"
                : "the request body has " + actual + " bytes, over the limit of " + maximum + " (paramlab.limits.max-body-size)";
        return overLimit("body-too-large", "Request body too large", detail, "max-body-size", actual, maximum);
    }

    /** A state dict upload over paramlab.limits.max-state-dict-bytes. */
    static ProblemDetail stateDictTooLarge(Long actual, long maximum) {
        String detail = (actual == null ? "the uploaded file is larger than " + maximum + " bytes"
                : "the uploaded file has " + actual + " bytes, over the limit of " + maximum) + " (paramlab.limits.max-state-dict-bytes)";
        return overLimit("body-too-large", "Request body too large", detail, "max-state-dict-bytes", actual, maximum);
    }

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalidInput(InvalidInputException e) {
        return invalid(e.getMessage(), e.errors(), e.errorsTotal());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.resource() + "-not-found", "Unknown " + e.resource(), e.getMessage());
    }

    @ExceptionHandler(LimitExceededException.class)
    ProblemDetail limit(LimitExceededException e) {
        ProblemDetail problem = overLimit("limit-exceeded", "Over a limit", e.getMessage(), e.limit(), e.actual(), e.maximum());
        problem.setProperty("errors", List.of(new FieldError(e.field(), Messages.wholeCharacters(e.getMessage()))));
        return problem;
    }

    /** An owner over a quota: the quota in the type, so a client can tell "delete one of yours" from a full service. */
    @ExceptionHandler(QuotaExceededException.class)
    ProblemDetail quota(QuotaExceededException e) {
        ProblemDetail problem = overLimit("quota-" + e.quota(), "Over a quota", e.getMessage(), e.limit(), e.actual(), e.maximum());
        problem.setProperty("errors", List.of(new FieldError(e.field(), Messages.wholeCharacters(e.getMessage()))));
        return problem;
    }

    /** A role too low, or another owner's model, found in the model layer (the HTTP layer's 403s are the same problem). */
    @ExceptionHandler(ForbiddenException.class)
    ProblemDetail forbidden(ForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e.getMessage());
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ProblemDetail bodyTooLarge(BodyTooLargeException e) {
        if (e instanceof BodyTooLargeException.InFlight inFlight) {
            return overLimit("body-too-large", "Request bodies too large together", e.getMessage(), "max-inflight-body-size",
                    inFlight.actual(), e.maximum());
        }
        if (e instanceof BodyTooLargeException.StateDict) {
            return stateDictTooLarge(null, e.maximum());
        }
        return bodyTooLarge(null, e.maximum());
    }

    @ExceptionHandler(PreconditionFailedException.class)
    ProblemDetail preconditionFailed(PreconditionFailedException e) {
        ProblemDetail problem = problem(HttpStatus.PRECONDITION_FAILED, "precondition-failed", "The model has moved on", e.getMessage());
        problem.setProperty("expected", e.expected());
        problem.setProperty("actual", e.actual());
        return problem;
    }

    /** Another instance took the model over while this one was cut off: nothing was written; the retry goes to the new holder. */
    @ExceptionHandler(io.paramlab.store.LeaseLostException.class)
    ResponseEntity<ProblemDetail> leaseLost(io.paramlab.store.LeaseLostException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "model-moved", "The model moved to another instance", e.getMessage()));
    }

    /** A request whose Idempotency-Key a repeat on another instance claimed while it ran: nothing was stored; the repeat's answer counts. */
    @ExceptionHandler(io.paramlab.store.IdempotencyClaimLostException.class)
    ProblemDetail idempotencyClaimLost(io.paramlab.store.IdempotencyClaimLostException e) {
        return problem(HttpStatus.CONFLICT, "idempotency-key-in-use", "Request in progress", e.getMessage());
    }

    /**
     * A refused load: PyTorch's text as {@code detail}, and as arrays what it lists, as the success
     * answer gives them: {@code missing_keys}, {@code unexpected_keys}, and {@code size_mismatches}, each
     * {@code {"key", "shape_in_model", "shape_in_checkpoint"}} ({@code shape_in_model} null for an
     * uninitialized lazy parameter).
     */
    @ExceptionHandler(io.paramlab.nn.LoadStateDictException.class)
    ProblemDetail loadRefused(io.paramlab.nn.LoadStateDictException e) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "not-computable", "Not computable", e.getMessage());
        problem.setProperty("missing_keys", e.missingKeys());
        problem.setProperty("unexpected_keys", e.unexpectedKeys());
        List<Map<String, Object>> mismatches = new java.util.ArrayList<>();
        for (io.paramlab.nn.LoadStateDictException.SizeMismatch m : e.sizeMismatches()) {
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put("key", m.key());
            entry.put("shape_in_model", m.shapeInModel());
            entry.put("shape_in_checkpoint", m.shapeInCheckpoint());
            mismatches.add(entry);
        }
        problem.setProperty("size_mismatches", mismatches);
        return problem;
    }

    /**
     * A safetensors or torch.save body that breaks a rule of its format: 400 with the rule as
     * {@code rule}, or 413 when the file declares more than the binary body limit.
     */
    @ExceptionHandler(FormatException.class)
    ProblemDetail invalidFile(FormatException e) {
        ProblemDetail problem = e.rule().equals("too-large")
                ? problem(HttpStatus.CONTENT_TOO_LARGE, "file-too-large", "File too large", e.getMessage())
                : problem(HttpStatus.BAD_REQUEST, "invalid-file", "Invalid file", e.getMessage());
        problem.setProperty("rule", e.rule());
        return problem;
    }

    /**
     * An export cut off after its answer began: there is no answer left to give, so the exception
     * goes on to the container, which aborts the connection (a client must not take a cut file
     * for a whole one).
     */
    @ExceptionHandler(ExportAbortedException.class)
    void exportAborted(ExportAbortedException e) {
        log.info("state-dict export cut off: {}", e.getMessage());
        throw e;
    }

    @ExceptionHandler(UnprocessableException.class)
    ProblemDetail unprocessable(UnprocessableException e) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "not-computable", "Not computable", e.getMessage());
        if (e.field() != null && !e.field().isEmpty()) {
            problem.setProperty("errors", List.of(new FieldError(e.field(), Messages.wholeCharacters(e.getMessage()))));
        }
        return problem;
    }

    /** A refused optimizer spec or state dict (400); a parameter or module name the model lacks is a 404. */
    @ExceptionHandler(OptimizerException.class)
    ProblemDetail optimizer(OptimizerException e) {
        String field = e.field() == null ? "" : e.field();
        String detail = (field.isEmpty() ? "" : field + ": ") + e.getMessage();
        if (e.unknownName()) {
            String resource = field.endsWith(".module") ? "module" : "parameter";
            ProblemDetail problem = problem(HttpStatus.NOT_FOUND, resource + "-not-found", "Unknown " + resource, detail);
            problem.setProperty("errors", List.of(new FieldError(field, Messages.wholeCharacters(e.getMessage()))));
            return problem;
        }
        return invalid(detail, List.of(new FieldError(field, e.getMessage())));
    }

    /** The model's state does not allow the request (no optimizer, no scheduler): 409. */
    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, e.slug(), "Conflict", e.getMessage());
    }

    @ExceptionHandler(TensorTooLargeException.class)
    ProblemDetail tensorTooLarge(TensorTooLargeException e) {
        if (e instanceof TensorTooLargeException.InFlight) {
            return overLimit("limit-exceeded", "Over a limit", e.getMessage() + " (paramlab.limits.max-inflight-activation-elements)",
                    "max-inflight-activation-elements", e.requested(), e.limit());
        }
        return overLimit("limit-exceeded", "Over a limit", e.getMessage() + " (paramlab.limits.max-activation-elements)",
                "max-activation-elements", e.requested(), e.limit());
    }

    /**
     * 503, not 408: the client sent its request in time; the service would not finish the work in
     * the time it gives any request. The work was stopped and rolled back; a smaller request fits.
     */
    @ExceptionHandler(DeadlineExceededException.class)
    ProblemDetail deadline(DeadlineExceededException e) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "request-time-exceeded", "Request took too long",
                e.getMessage() + " (paramlab.limits.max-request-time)");
        problem.setProperty("limit", "max-request-time");
        problem.setProperty("actual", e.elapsedMillis());
        problem.setProperty("maximum", e.maxMillis());
        return problem;
    }

    /** A request that spent its time waiting for a model's lock: it did nothing, and a retry soon may go through. */
    @ExceptionHandler(io.paramlab.model.ModelBusyException.class)
    ResponseEntity<ProblemDetail> modelBusy(io.paramlab.model.ModelBusyException e) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "model-busy", "Model busy",
                e.getMessage() + " (paramlab.limits.max-request-time)");
        problem.setProperty("limit", "max-request-time");
        problem.setProperty("actual", e.elapsedMillis());
        problem.setProperty("maximum", e.maxMillis());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(problem);
    }

    @ExceptionHandler(ShapeException.class)
    ProblemDetail shape(ShapeException e) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "shape-mismatch", "Shapes do not fit", e.getMessage());
        if (e.node() != null) {
            problem.setProperty("node", e.node());
        }
        return problem;
    }

    /**
     * Jetty refuses some input only when it is first read, inside the handler (a query string
     * with a bad percent-encoding, read by a request parameter): its status stands.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return ResponseEntity.status(http.getCode()).body(forStatus(http.getCode(), http.getReason()));
            }
        }
        log.error("unexpected failure", e);
        return ResponseEntity.internalServerError().body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "Internal error", "the service failed unexpectedly; the failure is logged"));
    }

    /** Spring MVC's own problems (404, 405, 406, 415, a bad query parameter...) get a type, as ours have. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
                                                          WebRequest request) {
        if (body instanceof ProblemDetail problem && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            ProblemDetail typed = forStatus(status.value(), problem.getDetail());
            typed.setInstance(problem.getInstance());
            if (problem.getProperties() != null) {
                problem.getProperties().forEach(typed::setProperty);
            }
            body = typed;
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers, HttpStatusCode status,
                                                        WebRequest request) {
        String field = e.getPropertyName() == null ? "" : e.getPropertyName();
        Class<?> required = e.getRequiredType();
        String message = "must be " + (required == null || Messages.kind(required) == null ? "of another type" : Messages.kind(required))
                + range(required, e.getValue()) + ", got \"" + Messages.quoted(String.valueOf(e.getValue())) + "\"";
        return ResponseEntity.badRequest().body(invalid(field + ": " + message, List.of(new FieldError(field, message))));
    }

    /** A whole number past its parameter's type ("min_evals=2147483648"): the range it must be in, so "an integer" is not a riddle. */
    private static String range(Class<?> required, Object value) {
        if (value == null || !String.valueOf(value).trim().matches("[-+]?\\d+")) {
            return "";
        }
        if (required == int.class || required == Integer.class) {
            return " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (required == long.class || required == Long.class) {
            return " from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        return "";
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> new FieldError(snakeCase(f.getField()), f.getDefaultMessage())).toList();
        return ResponseEntity.badRequest().body(invalid(errors.isEmpty() ? "invalid request" : errors.get(0).field() + ": " + errors.get(0).message(), errors));
    }

    /**
     * A body that is not JSON, or JSON that does not fit the request: the field path Jackson was at.
     * A limit met while reading wins over the parse error Jackson wraps it in.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        JacksonException parseError = null;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(bodyTooLarge(tooLarge));
            }
            if (cause instanceof StreamConstraintsException limit) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(JsonErrors.overLimit(limit));
            }
            if (parseError == null && cause instanceof JacksonException json) {
                parseError = json;
            }
        }
        if (parseError != null) {
            FieldError error = JsonErrors.fieldError(parseError);
            return ResponseEntity.badRequest().body(invalid((error.field().isEmpty() ? "" : error.field() + ": ") + error.message(),
                    List.of(error)));
        }
        return ResponseEntity.badRequest().body(invalid("the request body is missing or is not JSON", List.of()));
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
