package io.paramlab.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The store work of the service's stop (the last write of jobs' ends, the release of this instance's leases),
 * bounded together by {@code paramlab.store.shutdown-timeout} from the first piece of it: with the database
 * gone, each try would wait out the pool's connection timeout (30 s; 120 s on the embedded pool), and a
 * service stopped during an outage would take minutes to stop. The pool's timeout for requests is unchanged:
 * the work runs on a thread of its own and the stop waits for it at most until the deadline, then gives it
 * up (interrupted, left to end alone) with one WARN line naming what was left.
 */
public final class StoreShutdown {
    private static final Logger log = LoggerFactory.getLogger(StoreShutdown.class);
    private final Duration timeout;
    private long deadline;   // System.nanoTime(), from the first run
    private boolean started;

    public StoreShutdown(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("paramlab.store.shutdown-timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code work} and waits for it until the deadline; answers whether it ended in time. Past it, the work's
     * thread is interrupted and {@code left} (what was not done, and what happens to it) goes to the WARN line.
     */
    public synchronized boolean run(String name, Runnable work, Supplier<String> left) {
        if (!started) {
            started = true;
            deadline = System.nanoTime() + timeout.toNanos();
        }
        Thread thread = new Thread(work, "paramlab-shutdown-" + name);
        thread.setDaemon(true);   // given up, it must not keep the JVM alive
        thread.start();
        boolean interrupted = false;
        long remaining;
        while (thread.isAlive() && (remaining = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            return true;
        }
        thread.interrupt();
        log.warn("the service stops without {}: the store did not answer within paramlab.store.shutdown-timeout ({} ms)", left.get(),
                timeout.toMillis());
        return false;
    }
}
