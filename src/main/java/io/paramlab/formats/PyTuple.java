package io.paramlab.formats;

import java.util.List;

/**
 * A Python tuple to write with {@link TorchSave#writeObject} (Adam's {@code betas} in an optimizer's
 * state dict); a List is written as a list. Reading gives tuples back as unmodifiable Lists.
 */
public record PyTuple(List<?> items) {
    public PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }
}
