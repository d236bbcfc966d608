package io.paramlab.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bound on a stop's store work: one deadline for every piece, from the first; work past it is interrupted and left. */
class StoreShutdownTest {

    @Test
    void workThatEndsInTimeIsDone() {
        AtomicBoolean done = new AtomicBoolean();
        assertThat(new StoreShutdown(Duration.ofSeconds(5)).run("quick", () -> done.set(true), () -> "nothing")).isTrue();
        assertThat(done).isTrue();
    }

    @Test
    void oneDeadlineForEveryPieceFromTheFirstAndTheWorkPastItInterrupted() throws InterruptedException {
        StoreShutdown shutdown = new StoreShutdown(Duration.ofSeconds(1));
        CountDownLatch interrupted = new CountDownLatch(1);
        boolean inTime = shutdown.run("hanging", () -> {
            try {
                Thread.sleep(60_000);   // a store that does not answer
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }, () -> "the hanging work");
        assertThat(inTime).isFalse();
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the work given up is interrupted").isTrue();
        long started = System.nanoTime();
        assertThat(shutdown.run("late", () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> "the late work")).as("the deadline has passed: the next piece gets no time of its own").isFalse();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(millis).as("the second piece given up at once (the bound is 1 s), took %d ms", millis).isLessThan(500);
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> new StoreShutdown(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("paramlab.store.shutdown-timeout must be positive, not PT0S");
        assertThatThrownBy(() -> new StoreShutdown(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
