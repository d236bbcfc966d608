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

    /** The requests in flight together would pass their shared budget: a transient refusal, worth a retry. */
    public static final class InFlight extends TensorTooLargeException {
        public InFlight(long requested, long limit) {
            super(requested, limit, "the computations in flight would hold " + requested
                    + " tensor elements, over the limit of " + limit + " for all requests together; retry shortly");
        }

        /** One request whose own share passes the limit of all together: a retry cannot pass it, so none is asked for. */
        static InFlight alone(long requested, long limit) {
            return new InFlight(requested, limit, "this request alone would hold " + requested
                    + " tensor elements, over the limit of " + limit + " for all requests together, so a retry cannot pass it either");
        }

        private InFlight(long requested, long limit, String message) {
            super(requested, limit, message);
        }
    }

    protected TensorTooLargeException(long requested, long limit, String message) {
        super(message);
        this.requested = requested;
        this.limit = limit;
    }
}
