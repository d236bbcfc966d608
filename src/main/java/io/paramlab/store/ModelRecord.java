package io.paramlab.store;

import java.util.Objects;

/** A model to create: its id (chosen by the caller), its owner (null for now) and its first state. */
public record ModelRecord(String id, String owner, ModelState state) {
    public ModelRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }
}
