package io.paramlab.spec;

/** One problem with one field of a request, e.g. {@code model.layers[2].in_features}. */
public record FieldError(String field, String message) {
}
