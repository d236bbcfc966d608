package io.paramlab.formats;

/**
 * What a read's decoded arrays may take, asked before they are allocated (from a safetensors
 * header's shapes and dtypes, a torch.save pickle's storages, the views gathered from them): a
 * throw refuses them, and nothing of them is allocated.
 */
@FunctionalInterface
public interface ArrayBudget {
    ArrayBudget NONE = (elements, bytes) -> { };

    /** {@code elements} values are about to be allocated, in arrays of {@code bytes} bytes in all. */
    void reserve(long elements, long bytes);
}
