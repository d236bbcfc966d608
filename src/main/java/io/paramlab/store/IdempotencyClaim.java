package io.paramlab.store;

/**
 * What claiming an {@code Idempotency-Key} found: the key is this request's now, its first answer is kept,
 * or a request under it is still running (here or on another live instance of a shared store).
 */
public sealed interface IdempotencyClaim {
    /** The key is this request's: its answer is kept with {@code token}, or the claim is released. */
    record Claimed(String token) implements IdempotencyClaim {
    }

    /** The first answer to the key, within the idempotency window. */
    record Kept(IdempotentResponse answer) implements IdempotencyClaim {
    }

    /**
     * A request under the key still runs; {@code requestHash} is its hash, or null when it was not known at its
     * claim (a streamed upload).
     */
    record Running(String requestHash) implements IdempotencyClaim {
        /** Whether a request with {@code hash} (null: not known yet) is known to be another than the running one. */
        public boolean isOther(String hash) {
            return requestHash != null && hash != null && !requestHash.equals(hash);
        }
    }
}
