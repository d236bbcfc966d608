package io.paramlab.store;

/** Another checkpoint of the model already has this tag (tags are unique per model). */
public final class TagTakenException extends RuntimeException {
    public TagTakenException(String modelId, String tag) {
        super("model \"" + modelId + "\" already has a checkpoint tagged \"" + tag + "\"");
    }
}
