package io.paramlab.model;

import io.paramlab.tensor.Tensor;

import java.util.Set;

/**
 * What a change may alter, declared by the caller of {@link LiveModel#change}, so the transaction
 * saves exactly that before the change runs and can put it all back after any failure.
 *
 * @param values     parameter values: null for none, an empty set for every parameter, else these
 * @param elements   with {@code values} naming parameters: null for all their values, else these flat indices
 *                   (sorted, distinct), the only values saved for a rollback and written by the next commit
 * @param grads      every parameter's gradient
 * @param buffers    every buffer's values (BatchNorm's running statistics)
 * @param generator  the model's random generator
 * @param structure  lazy layers' shapes (a first forward or a load materializes them), mode and name
 * @param optimizer  which optimizer the model has, its and its scheduler's state, and the update ratios
 */
public record Footprint(Set<Tensor> values, int[] elements, boolean grads, boolean buffers, boolean generator, boolean structure,
                        boolean optimizer, Durability durability) {
    public Footprint {
        if (elements != null && (values == null || values.isEmpty())) {
            throw new IllegalArgumentException("elements of named parameters only");
        }
    }

    /** A forward that may move buffers and the generator or materialize lazy layers, and a backward's gradients. */
    public static final Footprint BACKWARD = new Footprint(null, null, true, true, true, true, false, Durability.IF_FORWARD_WRITES);
    public static final Footprint FORWARD = new Footprint(null, null, false, true, true, true, false, Durability.ALWAYS);
    public static final Footprint LOAD = new Footprint(Set.of(), null, false, true, false, true, false, Durability.ALWAYS);
    public static final Footprint INIT = new Footprint(Set.of(), null, false, false, true, false, false, Durability.ALWAYS);
    public static final Footprint GRADS = new Footprint(null, null, true, false, false, false, false, Durability.NEVER);
    public static final Footprint METADATA = new Footprint(null, null, false, false, false, true, false, Durability.ALWAYS);
    /** Everything a restore of a checkpoint sets: values, buffers, generator, mode, optimizer (gradients and name stay). */
    public static final Footprint RESTORE = new Footprint(Set.of(), null, false, true, true, true, true, Durability.ALWAYS);
    /** Setting, deleting or loading the optimizer: nothing of the module's own state. */
    public static final Footprint OPTIMIZER = new Footprint(null, null, false, false, false, false, true, Durability.ALWAYS);
    /** {@code optimizer.step()} or {@code scheduler.step()}: every parameter's values and the optimizer. */
    public static final Footprint STEP = new Footprint(Set.of(), null, false, false, false, false, true, Durability.ALWAYS);
    /** zero_grad, forward, loss, backward and step in one: everything a backward and a step touch. */
    public static final Footprint TRAIN_STEP = new Footprint(Set.of(), null, true, true, true, true, true, Durability.ALWAYS);

    /** One step of a job: a train step kept in memory; the job commits at each epoch's end. */
    public static final Footprint JOB_STEP = new Footprint(Set.of(), null, true, true, true, true, true, Durability.NEVER);
    /** A job's epoch end: the scheduler's epoch step, validation in eval mode (mode restored), and the commit. */
    public static final Footprint JOB_COMMIT = new Footprint(null, null, false, false, false, true, true, Durability.ALWAYS);

    /** Whether a committed change is written to the store as a new version. */
    public enum Durability {
        ALWAYS,
        /** Gradients only are not durable (as .grad is not in a state_dict). */
        NEVER,
        /** A forward or backward is durable when it moves buffers or the generator or materializes lazy layers. */
        IF_FORWARD_WRITES
    }

    /** One parameter's values and flag. */
    public static Footprint parameter(Tensor p) {
        return new Footprint(Set.of(p), null, false, false, false, false, false, Durability.ALWAYS);
    }

    /** These values of one initialized parameter (flat indices, sorted and distinct; none: its flag only). */
    public static Footprint elements(Tensor p, int... flat) {
        return new Footprint(Set.of(p), flat.clone(), false, false, false, false, false, Durability.ALWAYS);
    }

    boolean allValues() {
        return values != null && values.isEmpty();
    }
}
