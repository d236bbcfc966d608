package io.paramlab.store;

import java.time.Instant;

/** A stored model without its state: what a list shows and what create and commit answer. */
public record ModelSummary(String id, String name, String owner, long version, Instant createdAt, Instant updatedAt,
                           long parameterCount) {
}
