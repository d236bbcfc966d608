package io.paramlab.model;

import io.paramlab.store.ModelStore;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What each owner may hold, so that one token cannot take the whole service: models, stored
 * parameter elements, and jobs queued or running. 0 is unlimited. The open mode's one owner,
 * {@code anonymous}, is bounded by {@link ParamlabLimits} alone (it is the whole service there).
 *
 * @param maxModels        models one owner may hold
 * @param maxParameters    parameter elements of all the models one owner holds, as stored
 * @param maxRunningJobs   jobs of one owner queued or running at once (counted in the store, so across instances)
 */
@ConfigurationProperties("paramlab.quotas")
public record ParamlabQuotas(
        @DefaultValue("100") long maxModels,
        @DefaultValue("100000000") long maxParameters,
        @DefaultValue("2") long maxRunningJobs) {

    public static ParamlabQuotas unlimited() {
        return new ParamlabQuotas(0, 0, 0);
    }

    /** Before {@code owner} creates a model of {@code elements} parameter elements; {@code usage} is what it holds. */
    void checkCreate(String owner, long elements, ModelStore.Usage usage) {
        if (RequestContext.ANONYMOUS.equals(owner)) {
            return;
        }
        if (over(maxModels, usage.models() + 1)) {
            throw new QuotaExceededException("models", "max-models", usage.models() + 1, maxModels,
                    "\"" + owner + "\" already holds " + usage.models() + " models, its quota (paramlab.quotas.max-models); delete one first");
        }
        if (over(maxParameters, usage.parameters() + elements)) {
            throw new QuotaExceededException("parameters", "max-parameters", usage.parameters() + elements, maxParameters,
                    "\"" + owner + "\" holds " + usage.parameters() + " parameter elements; " + elements + " more would pass its quota of "
                            + maxParameters + " (paramlab.quotas.max-parameters)");
        }
    }

    /** Before {@code owner} stores a state dict of {@code elements} elements; {@code usage} counts its models and state dicts. */
    public void checkStoredParameters(String owner, long elements, ModelStore.Usage usage) {
        if (!RequestContext.ANONYMOUS.equals(owner) && over(maxParameters, usage.parameters() + elements)) {
            throw new QuotaExceededException("parameters", "max-parameters", usage.parameters() + elements, maxParameters,
                    "\"" + owner + "\" holds " + usage.parameters() + " parameter elements; " + elements + " more would pass its quota of "
                            + maxParameters + " (paramlab.quotas.max-parameters)");
        }
    }

    /**
     * Before {@code owner} queues a job while it has {@code queuedOrRunning} others: the hook for the
     * jobs package, called where it counts them under its own lock.
     */
    public void checkJobStart(String owner, long queuedOrRunning) {
        if (!RequestContext.ANONYMOUS.equals(owner) && over(maxRunningJobs, queuedOrRunning + 1)) {
            throw new QuotaExceededException("running-jobs", "max-running-jobs", queuedOrRunning + 1, maxRunningJobs,
                    "\"" + owner + "\" already has " + queuedOrRunning + " jobs queued or running, its quota (paramlab.quotas.max-running-jobs)");
        }
    }

    private static boolean over(long quota, long wanted) {
        return quota > 0 && wanted > quota;
    }
}
