package io.paramlab.model;

/** A well-formed request that cannot be computed (422), worded as PyTorch would. */
public class UnprocessableException extends RuntimeException {
    private final String field;

    public UnprocessableException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
