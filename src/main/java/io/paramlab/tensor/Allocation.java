package io.paramlab.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Budgets of float elements that ops may allocate: one per thread (a request), so one request
 * cannot run the service out of memory with a large input through a long graph, and one over all
 * requests in flight, so that many requests each under their own budget cannot do it together.
 * Outside a scope, no limit.
 */
public final class Allocation {
    private static final ThreadLocal<long[]> REMAINING = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
    private static final AtomicLong IN_FLIGHT = new AtomicLong();
    private static volatile long inFlightLimit = Long.MAX_VALUE;

    private Allocation() {
    }

    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Bounds what all scopes together may hold at once. */
    public static void limitInFlight(long maxElements) {
        inFlightLimit = maxElements;
    }

    /** Elements the open scopes hold now. */
    public static long inFlight() {
        return IN_FLIGHT.get();
    }

    /** Allows at most {@code maxElements} elements to be allocated on this thread until the scope closes. */
    public static Scope limit(long maxElements) {
        long[] budget = REMAINING.get();
        long remainingBefore = budget[0];
        long limitBefore = budget[1];
        budget[0] = maxElements;
        budget[1] = maxElements;
        return () -> {
            IN_FLIGHT.addAndGet(-(budget[1] - budget[0]));   // what this scope charged is free again
            budget[0] = remainingBefore;
            budget[1] = limitBefore;
        };
    }

    /**
     * Holds {@code elements} of the budget in flight until the scope closes, for a copy made outside
     * the ops (a transaction's saved values): refused with {@link TensorTooLargeException.InFlight}
     * before anything is allocated when the requests in flight would pass it.
     */
    public static Scope hold(long elements) {
        if (elements <= 0) {
            return () -> { };
        }
        if (elements > inFlightLimit) {
            throw TensorTooLargeException.InFlight.alone(elements, inFlightLimit);
        }
        long now = IN_FLIGHT.addAndGet(elements);
        if (now > inFlightLimit) {
            IN_FLIGHT.addAndGet(-elements);
            throw new TensorTooLargeException.InFlight(now, inFlightLimit);
        }
        return () -> IN_FLIGHT.addAndGet(-elements);
    }

    /** Charges the parameter elements a lazy parameter is about to allocate (for models, to their budget). */
    @FunctionalInterface
    public interface ParameterCharge {
        void charge(long elements);
    }

    private static final ThreadLocal<ParameterCharge> PARAMETERS = new ThreadLocal<>();

    /** Until the scope closes, a parameter materialized on this thread is first charged to {@code charge}. */
    public static Scope chargingParameters(ParameterCharge charge) {
        ParameterCharge before = PARAMETERS.get();
        PARAMETERS.set(charge);
        return () -> {
            if (before == null) PARAMETERS.remove();
            else PARAMETERS.set(before);
        };
    }

    /** Called before a parameter's values are allocated: its charge may refuse them (a throw), and nothing is allocated. */
    static void parameters(long elements) {
        ParameterCharge charge = PARAMETERS.get();
        if (charge != null) {
            charge.charge(elements);
        }
    }

    /** A new zeroed array of {@code n} floats, charged to the thread's budget and, inside a scope, to the one in flight. */
    static float[] floats(long n) {
        charge(n, n);
        return new float[(int) n];
    }

    /** A new zeroed array of {@code n} int64 values, charged as the floats of the same bytes. */
    static long[] longs(long n) {
        charge(2 * n, n);
        return new long[(int) n];
    }

    /** A new array of {@code n} ints (offsets, int32 indices), charged as as many floats. */
    static int[] ints(long n) {
        charge(n, n);
        return new int[(int) n];
    }

    /** A new array of {@code n} bools, charged as the floats of the same bytes. */
    static boolean[] bools(long n) {
        charge((n + 3) / 4, n);
        return new boolean[(int) n];
    }

    /**
     * Refuses, before anything is computed or allocated, a result of {@code n} elements that the
     * thread's budget or a Java array cannot hold; charges nothing. For sizes computed in long
     * arithmetic (saturated, see {@link #times}) before any int of them is taken.
     */
    static void require(long n) {
        long[] budget = REMAINING.get();
        if (n > budget[0] || n > Integer.MAX_VALUE - 8) {
            throw new TensorTooLargeException(n > Long.MAX_VALUE - budget[1] ? n : budget[1] - budget[0] + n,
                    Math.min(budget[1], Integer.MAX_VALUE - 8L));
        }
    }

    /** The product of non-negative sizes, {@link Long#MAX_VALUE} when it passes the range of a long. */
    static long times(long... sizes) {
        long n = 1;
        boolean over = false;
        for (long size : sizes) {
            if (size == 0) {
                return 0;
            }
            if (over || n > Long.MAX_VALUE / size) {
                over = true;
            } else {
                n *= size;
            }
        }
        return over ? Long.MAX_VALUE : n;
    }

    /** Charges {@code cost} float-sized elements for an array of {@code length}, or refuses before anything is allocated. */
    private static void charge(long cost, long length) {
        long[] budget = REMAINING.get();
        if (cost > budget[0] || length > Integer.MAX_VALUE - 8) {
            throw new TensorTooLargeException(budget[1] - budget[0] + cost, Math.min(budget[1], Integer.MAX_VALUE - 8L));
        }
        if (budget[1] != Long.MAX_VALUE) {
            long own = budget[1] - budget[0] + cost;   // what this scope would hold with it
            if (own > inFlightLimit) {
                throw TensorTooLargeException.InFlight.alone(own, inFlightLimit);
            }
            long now = IN_FLIGHT.addAndGet(cost);
            if (now > inFlightLimit) {
                IN_FLIGHT.addAndGet(-cost);
                throw new TensorTooLargeException.InFlight(now, inFlightLimit);
            }
        }
        budget[0] -= cost;
    }
}
