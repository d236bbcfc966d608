package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

/** {@code nn.Dropout(p)}: drops in training mode with draws from the model's generator. */
public final class Dropout extends Module {
    private final double p;
    private final boolean inplace;   // printed as PyTorch prints it; computed out of place
    private final Generator generator;

    public Dropout(double p, Generator generator) {
        this(p, false, generator);
    }

    public Dropout(double p, boolean inplace, Generator generator) {
        this.p = p;
        this.inplace = inplace;
        this.generator = generator;
    }

    @Override
    protected boolean forwardWritesInTraining() {
        return true;
    }

    @Override
    public String typeName() {
        return "Dropout";
    }

    @Override
    protected String extraRepr() {
        return "p=" + PyRepr.floating(p) + ", inplace=" + PyRepr.bool(inplace);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.dropout(input, p, isTraining(), generator);
    }
}
