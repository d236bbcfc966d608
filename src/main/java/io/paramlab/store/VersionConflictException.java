package io.paramlab.store;

/** A commit expected a version the stored model has moved past: nothing was written (412 for If-Match). */
public final class VersionConflictException extends RuntimeException {
    private final String modelId;
    private final long expected;
    private final long actual;

    public VersionConflictException(String modelId, long expected, long actual) {
        super("model \"" + modelId + "\" is at version " + actual + ", not " + expected);
        this.modelId = modelId;
        this.expected = expected;
        this.actual = actual;
    }

    public String modelId() {
        return modelId;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
