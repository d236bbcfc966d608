package io.paramlab.optim;

import java.util.LinkedHashMap;

/** The state an optimizer keeps for one parameter; it packs itself as PyTorch's state dict entry. */
sealed interface ParamState permits MomentumState, AdamState {
    LinkedHashMap<String, Object> pack();

    /** A deep copy (arrays included), for a transaction to put back after a failed step. */
    ParamState copy();

    /** Elements of its arrays, for the memory budget. */
    long elements();
}
