package io.paramlab.api;

import tools.jackson.core.exc.JacksonIOException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * paramlab.limits.max-inflight-body-size: what the requests in flight hold of their bodies
 * together, the bytes read and the arrays their JSON tensors parse into (charged before they are
 * allocated). A request opens its account in {@link BodySizeLimitFilter} and gives it all back
 * when it ends. One request alone may pass the budget (its own limits bound it); beside others,
 * the charge that would pass it is refused: 413, worth a retry.
 */
final class BodyBudget {
    private static final AtomicLong IN_FLIGHT = new AtomicLong();
    private static final ThreadLocal<Account> CURRENT = new ThreadLocal<>();

    private BodyBudget() {
    }

    /** Opens the account of the request on this thread; {@code maxBodyBytes} is what its body can hold. */
    static Account open(long maxInFlight, long maxBodyBytes) {
        Account account = new Account(maxInFlight, maxBodyBytes);
        CURRENT.set(account);
        return account;
    }

    /** Bytes the accounts hold now. */
    static long inFlight() {
        return IN_FLIGHT.get();
    }

    /**
     * Reserves {@code bytes} of parsed values for the request on this thread, before they are
     * allocated; outside a request, no limit. Throws as a read of the body would, so the 413 comes
     * out of Jackson the same way.
     */
    static void reserve(long bytes) {
        Account account = CURRENT.get();
        if (account != null) {
            try {
                account.charge(bytes);
            } catch (BodyTooLargeException.InFlight e) {
                throw JacksonIOException.construct(e);
            }
        }
    }

    /**
     * Reserves {@code bytes} of arrays an import decodes (a file's tensors, a stored state dict's or a
     * checkpoint's values) for the request on this thread, before they are allocated; outside a request, no limit.
     */
    static void charge(long bytes) throws BodyTooLargeException.InFlight {
        Account account = CURRENT.get();
        if (account != null) {
            account.charge(bytes);
        }
    }

    /** Gives back what {@link #reserve} took for arrays the parse has dropped. */
    static void free(long bytes) {
        Account account = CURRENT.get();
        if (account != null && !account.closed) {
            account.held -= bytes;
            IN_FLIGHT.addAndGet(-bytes);
        }
    }

    /**
     * The most values a JSON array in this request's body can hold (a value takes at least two
     * bytes, "0,"), so a stated shape up to it may be allocated at once; 0 outside a request.
     */
    static long maxValues() {
        Account account = CURRENT.get();
        return account == null ? 0 : account.maxBodyBytes / 2;
    }

    /**
     * Reserves a buffer a streaming upload holds its chunks in on their way to the store, before it is
     * allocated, until the request ends: true if granted. A {@code needed} one is charged as any other
     * (alone, a request may pass the budget; beside others, the 413); one the upload can do without
     * is granted only within the budget. Outside a request, no limit.
     */
    static boolean chargeBuffer(long bytes, boolean needed) throws BodyTooLargeException.InFlight {
        Account account = CURRENT.get();
        return account == null || account.reserve(bytes, needed);
    }

    /**
     * The account of a body that streams into the store as it arrives (a state-dict upload): the body
     * is never held, so reading it charges nothing; only the upload's chunk buffers are charged.
     */
    static Account openStreaming(long maxInFlight, long maxBodyBytes) {
        Account account = new Account(maxInFlight, maxBodyBytes);
        account.streaming = true;
        CURRENT.set(account);
        return account;
    }

    static final class Account implements AutoCloseable {
        private final long maxInFlight;
        private final long maxBodyBytes;
        private long held;
        private boolean closed;
        private boolean streaming;

        private Account(long maxInFlight, long maxBodyBytes) {
            this.maxInFlight = maxInFlight;
            this.maxBodyBytes = maxBodyBytes;
        }

        void charge(long bytes) throws BodyTooLargeException.InFlight {
            if (!streaming) {   // a streamed body is never held (its buffers are charged by chargeBuffer)
                reserve(bytes, true);
            }
        }

        /** Holds {@code bytes} if the budget has room (or this request is alone and they are needed), else refuses them. */
        boolean reserve(long bytes, boolean needed) throws BodyTooLargeException.InFlight {
            if (closed) {
                return true;   // a read after the request ended (the rest dropped) holds nothing
            }
            long all = IN_FLIGHT.addAndGet(bytes);
            if (all > maxInFlight && (!needed || all > held + bytes)) {
                IN_FLIGHT.addAndGet(-bytes);   // refused, so not held: the others keep their room
                if (!needed) {
                    return false;
                }
                throw new BodyTooLargeException.InFlight(all, maxInFlight);
            }
            held += bytes;
            return true;
        }

        /** Gives everything back, at once: what the request dropped or is still reading costs no memory. */
        @Override
        public void close() {
            IN_FLIGHT.addAndGet(-held);
            held = 0;
            closed = true;
            if (CURRENT.get() == this) {
                CURRENT.remove();
            }
        }
    }
}
