package io.paramlab.tensor;

/** Input that is well-formed but not computable, worded as PyTorch words it, with the numbers. */
public class ShapeException extends RuntimeException {
    public ShapeException(String message) {
        super(message);
    }
}
