package io.paramlab.init;

/** A policy that cannot apply to a tensor, worded as nn.init words it. */
public class InitException extends RuntimeException {
    public InitException(String message) {
        super(message);
    }
}
