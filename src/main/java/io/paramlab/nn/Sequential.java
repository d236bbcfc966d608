package io.paramlab.nn;

import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.Tensor;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** {@code nn.Sequential}, or a subclass of it by {@code className}: children applied in order, one value passed along. */
public final class Sequential extends ChildList<Sequential> {
    public Sequential() {
        this("Sequential", 1);
    }

    public Sequential(String className, int version) {
        super(className, version);
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

    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        if (args.size() != 1 || !kwargs.isEmpty()) {
            return super.forward(args, kwargs);   // Python's message for the wrong arguments
        }
        Object x = args.get(0);
        for (Module child : children().values()) {
            Deadline.check();
            x = child.forward(Collections.singletonList(x), Map.of());
        }
        return x;
    }
}
