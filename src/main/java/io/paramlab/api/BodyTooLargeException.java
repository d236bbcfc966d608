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
}
