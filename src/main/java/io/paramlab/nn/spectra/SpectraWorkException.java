package io.paramlab.nn.spectra;

/**
 * The singular values asked for would cost more than the budget: Σ n·m² over the matrices, counted
 * from the shapes before any value is read. {@code layer} is the candidate at which the sum passed it.
 */
public class SpectraWorkException extends RuntimeException {
    private final String layer;
    private final long work;
    private final long maxWork;

    public SpectraWorkException(String layer, long work, long maxWork) {
        super("the spectra would cost " + work + " (Σ n·m² over the matrices) by layer \"" + layer
                + "\", past the budget of " + maxWork);
        this.layer = layer;
        this.work = work;
        this.maxWork = maxWork;
    }

    public String layer() {
        return layer;
    }

    public long work() {
        return work;
    }

    public long maxWork() {
        return maxWork;
    }
}
