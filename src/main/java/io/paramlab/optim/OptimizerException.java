package io.paramlab.optim;

/**
 * An optimizer or scheduler spec, option or state dict that PyTorch would refuse, with the
 * field at fault ({@code "lr"}, {@code "param_groups[1].betas"}, {@code "state.3.exp_avg"})
 * and PyTorch's own message where it has one. Nothing has changed when it is thrown.
 */
public final class OptimizerException extends RuntimeException {
    private final String field;
    private final boolean unknownName;

    public OptimizerException(String field, String message) {
        this(field, message, false);
    }

    private OptimizerException(String field, String message, boolean unknownName) {
        super(message);
        this.field = field;
        this.unknownName = unknownName;
    }

    /** A parameter or module name the model does not have (the API answers 404 for it). */
    static OptimizerException unknownName(String field, String message) {
        return new OptimizerException(field, message, true);
    }

    /** Whether the spec named a parameter or module the model does not have. */
    public boolean unknownName() {
        return unknownName;
    }

    public String field() {
        return field;
    }
}
