package io.paramlab.optim;

import java.util.LinkedHashMap;

/** The state an optimizer keeps for one parameter; it packs itself as PyTorch's state dict entry. */
sealed interface ParamState permits MomentumState, AdamState {
    LinkedHashMap<String, Object> pack();
}
