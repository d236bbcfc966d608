package io.paramlab.model;

import io.paramlab.tensor.Tensor;

import java.util.Set;

/**
 * What a change may alter, declared by the caller of {@link LiveModel#change}, so the transaction
 * saves exactly that before the change runs and can put it all back after any failure.
 *
 * @param values     parameter values: null for none, an empty set for every parameter, else these
 * @param grads      every parameter's gradient
 * @param buffers    every buffer's values (BatchNorm's running statistics)
 * @param generator  the model's random generator
 * @param structure  lazy layers' shapes (a first forward or a load materializes them), mode and name
 */
public record Footprint(Set<Tensor> values, boolean grads, boolean buffers, boolean generator, boolean structure,
                        Durability durability) {
    /** A forward that may move buffers and the generator or materialize lazy layers, and a backward's gradients. */
    public static final Footprint BACKWARD = new Footprint(null, true, true, true, true, Durability.IF_FORWARD_WRITES);
    public static final Footprint FORWARD = new Footprint(null, false, true, true, true, Durability.ALWAYS);
    public static final Footprint LOAD = new Footprint(Set.of(), false, true, false, true, Durability.ALWAYS);
    public static final Footprint INIT = new Footprint(Set.of(), false, false, true, false, Durability.ALWAYS);
    public static final Footprint GRADS = new Footprint(null, true, false, false, false, Durability.NEVER);
    public static final Footprint METADATA = new Footprint(null, false, false, false, true, Durability.ALWAYS);
    /** Everything a restore of a checkpoint sets: values, buffers, generator, mode (gradients and name stay). */
    public static final Footprint RESTORE = new Footprint(Set.of(), false, true, true, true, Durability.ALWAYS);

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
        return new Footprint(Set.of(p), false, false, false, false, Durability.ALWAYS);
    }

    boolean allValues() {
        return values != null && values.isEmpty();
    }
}
