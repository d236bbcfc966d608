package io.paramlab.store;

import java.time.Instant;

/**
 * A checkpoint as the API shows it; {@code bytes} are the chunk bytes it added to what checkpoints
 * keep: 0 when every tensor is unchanged since an earlier checkpoint.
 */
public record Checkpoint(String id, String modelId, String tag, String message, long modelVersion,
                         Instant createdAt, long parameterCount, long bytes) {
}
