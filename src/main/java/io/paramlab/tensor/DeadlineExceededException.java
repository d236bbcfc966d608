package io.paramlab.tensor;

/** A request that ran past its time budget; its work was abandoned at a safe point. */
public class DeadlineExceededException extends RuntimeException {
    private final long elapsedMillis;
    private final long maxMillis;

    public DeadlineExceededException(long elapsedMillis, long maxMillis) {
        super("the request ran " + elapsedMillis + " ms, past its budget of " + maxMillis
                + " ms; its work was stopped and nothing was changed");
        this.elapsedMillis = elapsedMillis;
        this.maxMillis = maxMillis;
    }

    protected DeadlineExceededException(long elapsedMillis, long maxMillis, String message) {
        super(message);
        this.elapsedMillis = elapsedMillis;
        this.maxMillis = maxMillis;
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }

    public long maxMillis() {
        return maxMillis;
    }
}
