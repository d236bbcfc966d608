package io.paramlab.store;

import java.util.Objects;

/** Who changed a model, how and in a line: the history entry a commit writes (the store adds version and time). */
public record Change(String actor, String operation, String summary) {
    public Change {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(operation, "operation");
    }
}
