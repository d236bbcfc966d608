package io.paramlab.model;

import io.paramlab.tensor.DeadlineExceededException;

/**
 * A request that spent its time budget waiting for a model's lock (a long change holds it, or a
 * writer is queued ahead): it did nothing, and a retry a little later may go through (503 with
 * {@code Retry-After}).
 */
public class ModelBusyException extends DeadlineExceededException {
    public ModelBusyException(String id, long elapsedMillis, long maxMillis) {
        super(elapsedMillis, maxMillis, "the request waited " + elapsedMillis + " ms for model " + id
                + " (another request is changing it, or waits to), past its budget of " + maxMillis
                + " ms; nothing was changed, retry later");
    }
}
