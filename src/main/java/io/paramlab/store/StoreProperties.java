package io.paramlab.store;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * {@code paramlab.store.*}: history entries kept per model, the tensor chunk size, and how long an
 * idempotency key's answer is kept.
 */
@ConfigurationProperties("paramlab.store")
public record StoreProperties(@DefaultValue("10000") int historyLimit,
                              @DefaultValue("4MB") DataSize chunkSize,
                              @DefaultValue("24h") Duration idempotencyTtl) {

    public static StoreProperties defaults() {
        return new StoreProperties(10000, DataSize.ofMegabytes(4), Duration.ofHours(24));
    }
}
