package io.paramlab.tensor;

/**
 * A per-thread budget of float elements that ops may allocate, so one request cannot run the
 * service out of memory with a large input through a long graph; outside a budget, no limit.
 */
public final class Allocation {
    private static final ThreadLocal<long[]> REMAINING = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE, Long.MAX_VALUE});

    private Allocation() {
    }

    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Allows at most {@code maxElements} elements to be allocated on this thread until the scope closes. */
    public static Scope limit(long maxElements) {
        long[] budget = REMAINING.get();
        long remainingBefore = budget[0];
        long limitBefore = budget[1];
        budget[0] = maxElements;
        budget[1] = maxElements;
        return () -> {
            budget[0] = remainingBefore;
            budget[1] = limitBefore;
        };
    }

    /** A new zeroed array of {@code n} floats, charged to the budget. */
    static float[] floats(long n) {
        long[] budget = REMAINING.get();
        if (n > budget[0] || n > Integer.MAX_VALUE - 8) {
            throw new TensorTooLargeException(budget[1] - budget[0] + n, Math.min(budget[1], Integer.MAX_VALUE - 8L));
        }
        budget[0] -= n;
        return new float[(int) n];
    }
}
