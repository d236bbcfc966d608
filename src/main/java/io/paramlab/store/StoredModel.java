package io.paramlab.store;

/** A model as loaded: its summary (version, times) and its state at that version. */
public record StoredModel(ModelSummary summary, ModelState state) {
    public String id() {
        return summary.id();
    }

    public long version() {
        return summary.version();
    }
}
