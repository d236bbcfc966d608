package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The budget in flight's refusals say whether a retry can pass. */
class AllocationTest {
    /**
     * A model load whose own copy passed the limit of all requests together (a 20M-parameter model
     * under -Xmx256m) was told to "retry shortly", which could never pass; only a refusal because of
     * the others in flight says so now.
     */
    @Test
    void aRequestPastTheLimitOfAllTogetherIsNotToldToRetry() {
        long before = Allocation.inFlight();
        Allocation.limitInFlight(before + 1_000);
        try {
            assertThatThrownBy(() -> Allocation.hold(before + 1_001)).isInstanceOf(TensorTooLargeException.InFlight.class)
                    .hasMessageStartingWith("this request alone would hold").hasMessageNotContaining("retry shortly");
            try (Allocation.Scope others = Allocation.hold(600)) {
                assertThatThrownBy(() -> Allocation.hold(600)).isInstanceOf(TensorTooLargeException.InFlight.class)
                        .hasMessageEndingWith("retry shortly");
            }
            assertThat(Allocation.inFlight()).isEqualTo(before);
        } finally {
            Allocation.limitInFlight(Long.MAX_VALUE);
        }
    }
}
