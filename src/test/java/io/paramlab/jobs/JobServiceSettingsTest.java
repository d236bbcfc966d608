package io.paramlab.jobs;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** paramlab.jobs.store-retry-interval is checked at start (the service does not start with a zero or negative one). */
class JobServiceSettingsTest {

    @Test
    void theStoreRetryIntervalMustBePositive() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> new JobService(null, null, null, null, null, null, null, null, null, 1, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("paramlab.jobs.store-retry-interval must be positive, not " + bad);
        }
    }
}
