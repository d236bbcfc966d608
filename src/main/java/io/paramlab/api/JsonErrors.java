package io.paramlab.api;

import io.paramlab.spec.FieldError;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What a JSON body's read failure says to a client: the field at fault, in words without Java types. */
final class JsonErrors {
    /** Jackson words every stream limit as "X (actual) exceeds the maximum allowed (maximum, from `...getMaxY()`)". */
    private static final Pattern LIMIT = Pattern.compile("\\((\\d+)\\) exceeds the maximum allowed \\((\\d+), from `StreamReadConstraints\\.getMax(\\w+)\\(\\)`");

    private JsonErrors() {
    }

    static FieldError fieldError(JacksonException e) {
        String field = pathOf(e);
        if (e instanceof PropertyBindingException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return new FieldError(field, "unknown field \"" + Messages.quoted(unknown.getPropertyName()) + "\""
                    + (known.isEmpty() ? "" : "; known: " + known));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null
                && Messages.kind(mismatch.getTargetType()) != null) {
            return new FieldError(field, "must be " + Messages.kind(mismatch.getTargetType()));
        }
        return new FieldError(field, e.getOriginalMessage());
    }

    /** A JSON read limit (nesting, number or string length, ...) as a 413 naming the limit. */
    static ProblemDetail overLimit(StreamConstraintsException e) {
        Matcher m = LIMIT.matcher(e.getOriginalMessage());
        if (!m.find()) {
            return Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "limit-exceeded", "Over a limit", e.getOriginalMessage());
        }
        String limit = "json-max-" + m.group(3).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        return Problems.overLimit("limit-exceeded", "Over a limit", e.getOriginalMessage().replaceAll(", from `[^`]*`", ""),
                limit, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /**
     * The path Jackson was at: from the binding's path, or, for a failure of the JSON itself
     * (a duplicate key), from the parser's position.
     */
    private static String pathOf(JacksonException e) {
        if (!e.getPath().isEmpty()) {
            return fieldPath(e.getPath());
        }
        if (e instanceof StreamReadException read && read.processor() != null) {
            return fieldPath(read.processor().streamReadContext());
        }
        return "";
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

    private static String fieldPath(TokenStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.currentName() != null) {
                parts.push("." + c.currentName());
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }
}
