package io.paramlab.store;

import java.util.Objects;

/**
 * Who changed a model, how and in a line: the history entry a commit writes (the store adds version and time).
 * {@code alongside} runs inside the commit's database transaction, after the model's rows: a job records its
 * progress there, so the model's state and the job's position in its loop are durable together or not at all.
 */
public record Change(String actor, String operation, String summary, Runnable alongside) {
    public Change {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(alongside, "alongside");
    }

    public Change(String actor, String operation, String summary) {
        this(actor, operation, summary, () -> { });
    }
}
