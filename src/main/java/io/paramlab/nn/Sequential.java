package io.paramlab.nn;

import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.Tensor;

/** {@code nn.Sequential}: children applied in order. */
public final class Sequential extends Module {

    public Sequential add(String name, Module child) {
        addModule(name, child);
        return this;
    }

    @Override
    public String typeName() {
        return "Sequential";
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module child : children().values()) {
            Deadline.check();   // a safe point: nothing of the model is half written between layers
            x = child.forward(x);
        }
        return x;
    }
}
