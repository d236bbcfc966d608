package io.paramlab.nn;

import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.ShapeOps;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One step of each recurrent cell, and the binding of a forward's arguments, shared by the layers and the cells. */
final class Cells {
    private Cells() {
    }

    /**
     * One step from the input's projection {@code ih} (N, gates * H), the state {@code h} (and
     * {@code c}): answers the new h and c, as PyTorch's cells compute them.
     */
    static Tensor[] step(Recurrent.Mode mode, Tensor ih, Tensor h, Tensor c, Tensor whh, Tensor bhh, Tensor whr) {
        Tensor hh = Functional.linear(h, whh, bhh);
        return switch (mode) {
            case RNN_TANH -> new Tensor[] {Functional.tanh(Arithmetic.add(ih, hh)), null};
            case RNN_RELU -> new Tensor[] {Functional.relu(Arithmetic.add(ih, hh)), null};
            case LSTM -> {
                List<Tensor> g = ShapeOps.chunk(Arithmetic.add(ih, hh), 4, 1);
                Tensor i = Functional.sigmoid(g.get(0));
                Tensor f = Functional.sigmoid(g.get(1));
                Tensor cand = Functional.tanh(g.get(2));
                Tensor o = Functional.sigmoid(g.get(3));
                Tensor cy = Arithmetic.add(Arithmetic.mul(f, c), Arithmetic.mul(i, cand));
                Tensor hy = Arithmetic.mul(o, Functional.tanh(cy));
                yield new Tensor[] {whr == null ? hy : Functional.linear(hy, whr, null), cy};
            }
            case GRU -> {
                List<Tensor> gi = ShapeOps.chunk(ih, 3, 1);
                List<Tensor> gh = ShapeOps.chunk(hh, 3, 1);
                Tensor r = Functional.sigmoid(Arithmetic.add(gi.get(0), gh.get(0)));
                Tensor z = Functional.sigmoid(Arithmetic.add(gi.get(1), gh.get(1)));
                Tensor n = Functional.tanh(Arithmetic.add(gi.get(2), Arithmetic.mul(r, gh.get(2))));
                yield new Tensor[] {Arithmetic.add(n, Arithmetic.mul(z, Arithmetic.sub(h, n))), null};
            }
        };
    }

    /** Python's binding of {@code forward(self, names...)}: positionals, then keywords; missing ones are None. */
    static List<Object> bind(String type, List<String> names, List<Object> args, Map<String, Object> kwargs) {
        if (args.size() > names.size()) {
            throw new ShapeException("forward() takes from 2 to " + (names.size() + 1) + " positional arguments but "
                    + (args.size() + 1) + " were given");
        }
        List<Object> bound = new ArrayList<>(args);
        while (bound.size() < names.size()) bound.add(null);
        kwargs.forEach((k, v) -> {
            int i = names.indexOf(k);
            if (i < 0) {
                throw new ShapeException("forward() got an unexpected keyword argument '" + k + "'");
            }
            if (i < args.size()) {
                throw new ShapeException("forward() got multiple values for argument '" + k + "'");
            }
            bound.set(i, v);
        });
        if (bound.get(0) == null) {
            throw new ShapeException("forward() missing 1 required positional argument: '" + names.get(0) + "'");
        }
        return bound;
    }

    static Tensor tensor(Object value, String name) {
        if (!(value instanceof Tensor t)) {
            throw new ShapeException(name + " must be a Tensor, got " + Module.describe(value));
        }
        return t;
    }
}
