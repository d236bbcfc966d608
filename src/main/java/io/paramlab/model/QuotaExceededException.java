package io.paramlab.model;

import io.paramlab.spec.LimitExceededException;

/** An owner over one of its {@link ParamlabQuotas} (413, {@code type} {@code quota-<quota>}), with the numbers as other limits give them. */
public class QuotaExceededException extends LimitExceededException {
    private final String quota;

    QuotaExceededException(String quota, String limit, long actual, long maximum, String message) {
        super(quota, "quotas." + limit, actual, maximum, message);
        this.quota = quota;
    }

    /** {@code models}, {@code parameters} or {@code running-jobs}. */
    public String quota() {
        return quota;
    }
}
