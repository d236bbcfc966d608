package io.paramlab.formats;

/**
 * A file that is not a valid state dict in its format (a 400): {@link #rule()} names the rule it
 * breaks ({@code header-too-large}, {@code unsupported-global}, ...), stable for clients to match;
 * the message says what is wrong in words a PyTorch user understands.
 */
public class FormatException extends RuntimeException {
    private final String rule;

    public FormatException(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    public String rule() {
        return rule;
    }
}
