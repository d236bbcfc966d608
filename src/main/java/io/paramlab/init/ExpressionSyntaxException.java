package io.paramlab.init;

/** An expression that does not parse, with the 0-based position of the problem. */
public class ExpressionSyntaxException extends RuntimeException {
    private final int position;

    public ExpressionSyntaxException(String message, int position) {
        super(message + " at position " + position);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
