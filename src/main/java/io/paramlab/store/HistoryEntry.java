package io.paramlab.store;

import java.time.Instant;

/** One committed change of a model, as {@code GET /models/{id}/history} lists it. */
public record HistoryEntry(long version, Instant at, String actor, String operation, String summary) {
}
