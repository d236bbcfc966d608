package io.paramlab.api;

import java.io.IOException;

/**
 * A binary export that failed after its answer began (the client went away, or read too slowly):
 * nothing can be said to the client any more, so the connection is cut, not completed.
 */
class ExportAbortedException extends RuntimeException {
    ExportAbortedException(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
