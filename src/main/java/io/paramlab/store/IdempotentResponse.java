package io.paramlab.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The first answer to a request with an {@code Idempotency-Key}, kept to answer its repeats; or, with status 0,
 * the key's claim by a request still running ({@link IdempotencyClaim}).
 */
public record IdempotentResponse(String key, String requestHash, int status, Map<String, List<String>> headers,
                                 byte[] body, Instant createdAt) {
    /** A claim, not an answer: the request under the key still runs. */
    public boolean inProgress() {
        return status == 0;
    }
}
