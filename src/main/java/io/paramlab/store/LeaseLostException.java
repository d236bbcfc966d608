package io.paramlab.store;

/**
 * A commit by an instance that no longer holds the model's lease (it was taken while this instance was
 * paused or cut off from the database): nothing was written; the client retries on the new holder.
 */
public final class LeaseLostException extends RuntimeException {
    private final String modelId;

    public LeaseLostException(String modelId) {
        super("this instance no longer holds model \"" + modelId + "\"; another instance took it over");
        this.modelId = modelId;
    }

    public String modelId() {
        return modelId;
    }
}
