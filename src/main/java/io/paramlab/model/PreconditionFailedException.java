package io.paramlab.model;

/** {@code If-Match} named a version the model has moved on from (412): nothing was changed. */
public class PreconditionFailedException extends RuntimeException {
    private final long expected;
    private final long actual;

    public PreconditionFailedException(String id, long expected, long actual) {
        this(id, expected, actual, "model");
    }

    /** {@code resource}: what moved on ("model", "state dict"). */
    public PreconditionFailedException(String id, long expected, long actual, String resource) {
        super(resource + " " + id + " is at version " + actual + ", not " + expected + " as If-Match expects; read it again");
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
