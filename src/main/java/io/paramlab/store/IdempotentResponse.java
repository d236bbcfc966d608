package io.paramlab.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The first answer to a request with an {@code Idempotency-Key}, kept to answer its repeats. */
public record IdempotentResponse(String key, String requestHash, int status, Map<String, List<String>> headers,
                                 byte[] body, Instant createdAt) {
}
