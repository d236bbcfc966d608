package io.paramlab.store;

/** The store has no model with this id (deleted, or never created). */
public final class NoSuchModelException extends RuntimeException {
    private final String modelId;

    public NoSuchModelException(String modelId) {
        super("no model with id \"" + modelId + "\"");
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }
}
