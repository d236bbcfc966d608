package io.paramlab.optim;

/**
 * An optimizer or scheduler spec, option or state dict that PyTorch would refuse, with the
 * field at fault ({@code "lr"}, {@code "param_groups[1].betas"}, {@code "state.3.exp_avg"})
 * and PyTorch's own message where it has one. Nothing has changed when it is thrown.
 */
public final class OptimizerException extends RuntimeException {
    private final String field;

    public OptimizerException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
