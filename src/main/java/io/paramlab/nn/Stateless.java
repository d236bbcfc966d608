package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Tensor;

import java.util.function.UnaryOperator;

/** A layer with no parameters, buffers or mode: ReLU, GELU, Softmax, Flatten and the like. */
public final class Stateless extends Module {
    private final String typeName;
    private final String extraRepr;
    private final UnaryOperator<Tensor> function;

    private Stateless(String typeName, String extraRepr, UnaryOperator<Tensor> function) {
        this.typeName = typeName;
        this.extraRepr = extraRepr;
        this.function = function;
    }

    static Stateless of(String typeName, String extraRepr, UnaryOperator<Tensor> function) {
        return new Stateless(typeName, extraRepr, function);
    }

    public static Stateless leakyRelu(double negativeSlope) {
        return new Stateless("LeakyReLU", "negative_slope=" + PyRepr.floating(negativeSlope),
                x -> Functional.leakyRelu(x, negativeSlope));
    }

    /** {@code approximate} is "none" or "tanh". */
    public static Stateless gelu(String approximate) {
        boolean tanh = approximate.equals("tanh");
        return new Stateless("GELU", "approximate=" + PyRepr.string(approximate), x -> Functional.gelu(x, tanh));
    }

    /**
     * {@code nn.Softmax(dim)}; {@code dim} null is PyTorch's {@code dim=None}: {@code F.softmax}'s implicit
     * choice ({@code _get_softmax_dim}) for each input, dim 0 for a 0-, 1- or 3-D input, else 1.
     */
    public static Stateless softmax(Integer dim) {
        return new Stateless("Softmax", "dim=" + (dim == null ? "None" : dim),
                x -> Functional.softmax(x, dim != null ? dim : implicitSoftmaxDim(x.dim())));
    }

    /** {@code torch.nn.functional._get_softmax_dim}. */
    static int implicitSoftmaxDim(int ndim) {
        return ndim == 0 || ndim == 1 || ndim == 3 ? 0 : 1;
    }

    public static Stateless flatten(int startDim, int endDim) {
        return new Stateless("Flatten", "start_dim=" + startDim + ", end_dim=" + endDim,
                x -> Functional.flatten(x, startDim, endDim));
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    protected String extraRepr() {
        return extraRepr;
    }

    @Override
    public Tensor forward(Tensor input) {
        return function.apply(input);
    }
}
