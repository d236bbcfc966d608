package io.paramlab.tensor;

/** A computation that would allocate more elements than its budget allows. */
public class TensorTooLargeException extends RuntimeException {
    private final long requested;
    private final long limit;

    public TensorTooLargeException(long requested, long limit) {
        super("the computation would allocate " + requested + " tensor elements, over the limit of " + limit);
        this.requested = requested;
        this.limit = limit;
    }

    public long requested() {
        return requested;
    }

    public long limit() {
        return limit;
    }
}
