package io.paramlab.spec;

/** A request over a configured limit (413): the field, the limit's name, the numbers. */
public class LimitExceededException extends RuntimeException {
    private final String field;
    private final String limit;
    private final long actual;
    private final long maximum;

    public LimitExceededException(String field, String limit, long actual, long maximum, String message) {
        super(message);
        this.field = field;
        this.limit = limit;
        this.actual = actual;
        this.maximum = maximum;
    }

    public String field() {
        return field;
    }

    public String limit() {
        return limit;
    }

    public long actual() {
        return actual;
    }

    public long maximum() {
        return maximum;
    }
}
