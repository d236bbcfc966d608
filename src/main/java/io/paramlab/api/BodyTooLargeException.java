package io.paramlab.api;

import java.io.IOException;

/** A request body that passed paramlab.limits.max-body-size while it was read. */
class BodyTooLargeException extends IOException {
    private final long maximum;

    BodyTooLargeException(long maximum) {
        super("the request body is larger than " + maximum + " bytes (paramlab.limits.max-body-size)");
        this.maximum = maximum;
    }

    long maximum() {
        return maximum;
    }

    BodyTooLargeException(String message, long maximum) {
        super(message);
        this.maximum = maximum;
    }

    /** A state dict upload past paramlab.limits.max-state-dict-bytes while it streamed in. */
    static final class StateDict extends BodyTooLargeException {
        StateDict(long maximum) {
            super("the uploaded file is larger than " + maximum + " bytes (paramlab.limits.max-state-dict-bytes)", maximum);
        }
    }

    /** The bodies in flight, read and parsed, would pass their shared budget: worth a retry. */
    static final class InFlight extends BodyTooLargeException {
        private final long actual;

        InFlight(long actual, long maximum) {
            super("the request bodies in flight would hold " + actual + " bytes (read, parsed, or buffered on their way to the store), over the limit of " + maximum
                    + " (paramlab.limits.max-inflight-body-size); retry shortly", maximum);
            this.actual = actual;
        }

        long actual() {
            return actual;
        }
    }
}
