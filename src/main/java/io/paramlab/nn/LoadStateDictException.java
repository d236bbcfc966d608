package io.paramlab.nn;

/** A refused {@code load_state_dict}: PyTorch's "Error(s) in loading state_dict for ..." text. */
public class LoadStateDictException extends RuntimeException {
    public LoadStateDictException(String message) {
        super(message);
    }
}
