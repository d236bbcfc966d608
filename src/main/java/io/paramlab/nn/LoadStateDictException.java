package io.paramlab.nn;

import java.util.List;

/**
 * A refused {@code load_state_dict}: PyTorch's "Error(s) in loading state_dict for ..." text, and what
 * it lists as data: the missing and unexpected keys (as the success answer gives them) and each size
 * mismatch.
 */
public class LoadStateDictException extends RuntimeException {
    private final List<String> missingKeys;
    private final List<String> unexpectedKeys;
    private final List<SizeMismatch> sizeMismatches;

    /** One key whose value has another shape than the model's; {@code shapeInModel} null: an uninitialized lazy parameter. */
    public record SizeMismatch(String key, int[] shapeInModel, int[] shapeInCheckpoint) {
    }

    public LoadStateDictException(String message, List<String> missingKeys, List<String> unexpectedKeys,
                                  List<SizeMismatch> sizeMismatches) {
        super(message);
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.sizeMismatches = List.copyOf(sizeMismatches);
    }

    public List<String> missingKeys() {
        return missingKeys;
    }

    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    public List<SizeMismatch> sizeMismatches() {
        return sizeMismatches;
    }
}
