package io.paramlab.api;

import io.paramlab.model.NotFoundException;
import io.paramlab.model.UnprocessableException;
import io.paramlab.spec.FieldError;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.TensorTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 */
@RestControllerAdvice
class Problems extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    static URI type(String slug) {
        return URI.create("urn:paramlab:problem:" + slug);
    }

    static ProblemDetail problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    private static ProblemDetail invalid(String detail, List<FieldError> errors) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.setProperty("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        return problem;
    }

    /** A 413 with the limit's name, the number asked for (when known) and the configured maximum. */
    private static ProblemDetail overLimit(String slug, String title, String detail, String limit, Long actual, long maximum) {
        ProblemDetail problem = problem(HttpStatus.CONTENT_TOO_LARGE, slug, title, detail);
        problem.setProperty("limit", limit);
        if (actual != null) {
            problem.setProperty("actual", actual);
        }
        problem.setProperty("maximum", maximum);
        return problem;
    }

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalidInput(InvalidInputException e) {
        return invalid(e.getMessage(), e.errors());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.resource() + "-not-found", "Unknown " + e.resource(), e.getMessage());
    }

    @ExceptionHandler(LimitExceededException.class)
    ProblemDetail limit(LimitExceededException e) {
        ProblemDetail problem = overLimit("limit-exceeded", "Over a limit", e.getMessage(), e.limit(), e.actual(), e.maximum());
        problem.setProperty("errors", List.of(Map.of("field", e.field(), "message", e.getMessage())));
        return problem;
    }

    @ExceptionHandler(BodyTooLargeException.class)
    ProblemDetail bodyTooLarge(BodyTooLargeException e) {
        return overLimit("body-too-large", "Request body too large", e.getMessage(), "max-body-size", null, e.maximum());
    }

    @ExceptionHandler(UnprocessableException.class)
    ProblemDetail unprocessable(UnprocessableException e) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, "not-computable", "Not computable", e.getMessage());
        if (e.field() != null && !e.field().isEmpty()) {
            problem.setProperty("errors", List.of(Map.of("field", e.field(), "message", e.getMessage())));
        }
        return problem;
    }

    @ExceptionHandler(TensorTooLargeException.class)
    ProblemDetail tensorTooLarge(TensorTooLargeException e) {
        return overLimit("limit-exceeded", "Over a limit", e.getMessage() + " (paramlab.limits.max-activation-elements)",
                "max-activation-elements", e.requested(), e.limit());
    }

    @ExceptionHandler(ShapeException.class)
    ProblemDetail shape(ShapeException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "shape-mismatch", "Shapes do not fit", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("unexpected failure", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "the service failed unexpectedly; the failure is logged");
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
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(problem(HttpStatus.CONTENT_TOO_LARGE,
                        "limit-exceeded", "Over a limit", limit.getOriginalMessage()));
            }
            if (parseError == null && cause instanceof JacksonException json) {
                parseError = json;
            }
        }
        if (parseError != null) {
            String field = fieldPath(parseError.getPath());
            String message = parseError.getOriginalMessage();
            return ResponseEntity.badRequest().body(invalid((field.isEmpty() ? "" : field + ": ") + message,
                    List.of(new FieldError(field, message))));
        }
        return ResponseEntity.badRequest().body(invalid("the request body is missing or is not JSON", List.of()));
    }

    static String fieldPath(List<JacksonException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }
}
