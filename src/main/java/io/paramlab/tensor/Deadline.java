package io.paramlab.tensor;

/**
 * A per-thread time budget for one request's work, checked at safe points of long loops (between
 * init rules and parameters, per QR column, between layers, per backward node), so no request
 * runs on for a client that gave up long ago. A failed check throws, and the caller's transaction
 * rolls back. Outside a scope there is no deadline; the check is then one thread-local read.
 */
public final class Deadline {
    private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();   // {start, end} in System.nanoTime()

    private Deadline() {
    }

    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Starts a budget of {@code maxNanos} on this thread until the scope closes. */
    public static Scope start(long maxNanos) {
        long[] before = CURRENT.get();
        long now = System.nanoTime();
        CURRENT.set(new long[] {now, now + maxNanos});
        return () -> {
            if (before == null) CURRENT.remove();
            else CURRENT.set(before);
        };
    }

    /** Nanoseconds left of this thread's budget (0 when spent), or {@link Long#MAX_VALUE} outside a scope. */
    public static long remainingNanos() {
        long[] window = CURRENT.get();
        return window == null ? Long.MAX_VALUE : Math.max(0, window[1] - System.nanoTime());
    }

    /** Milliseconds since this thread's budget started and the budget, for a refusal; {0, 0} outside a scope. */
    public static long[] spentAndMaxMillis() {
        long[] window = CURRENT.get();
        return window == null ? new long[] {0, 0}
                : new long[] {(System.nanoTime() - window[0]) / 1_000_000, (window[1] - window[0]) / 1_000_000};
    }

    /** Throws {@link DeadlineExceededException} when this thread's budget is spent. */
    public static void check() {
        long[] window = CURRENT.get();
        if (window != null) {
            long now = System.nanoTime();
            if (now - window[1] > 0) {
                throw new DeadlineExceededException((now - window[0]) / 1_000_000, (window[1] - window[0]) / 1_000_000);
            }
        }
    }
}
