package io.paramlab.nn;

import io.paramlab.tensor.Activations;
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

    /** ReLU6 and SiLU print inplace=True when given; Hardswish, Hardsigmoid and Mish accept it and print nothing. */
    public static Stateless relu6(boolean inplace) {
        return new Stateless("ReLU6", inplace ? "inplace=True" : "", Activations::relu6);
    }

    public static Stateless silu(boolean inplace) {
        return new Stateless("SiLU", inplace ? "inplace=True" : "", Activations::silu);
    }

    public static Stateless hardswish() {
        return new Stateless("Hardswish", "", Activations::hardswish);
    }

    public static Stateless hardsigmoid() {
        return new Stateless("Hardsigmoid", "", Activations::hardsigmoid);
    }

    public static Stateless mish() {
        return new Stateless("Mish", "", Activations::mish);
    }

    /** {@code alpha} keeps its Python form: ELU(alpha=1) and ELU(alpha=1.0) differ in print. */
    public static Stateless elu(Number alpha, boolean inplace) {
        return new Stateless("ELU", "alpha=" + PyRepr.number(alpha) + (inplace ? ", inplace=True" : ""),
                x -> Activations.elu(x, alpha.doubleValue()));
    }

    public static Stateless softplus(Number beta, Number threshold) {
        return new Stateless("Softplus", "beta=" + PyRepr.number(beta) + ", threshold=" + PyRepr.number(threshold),
                x -> Activations.softplus(x, beta.doubleValue(), threshold.doubleValue()));
    }

    /** {@code nn.LogSoftmax(dim)}; {@code dim} null is PyTorch's {@code dim=None}, the implicit dim as for Softmax. */
    public static Stateless logSoftmax(Integer dim) {
        return new Stateless("LogSoftmax", "dim=" + (dim == null ? "None" : dim),
                x -> Functional.logSoftmax(x, dim != null ? dim : implicitSoftmaxDim(x.dim())));
    }

    /** ReLU with PyTorch's {@code inplace} in its repr (computed out of place). */
    public static Stateless relu(boolean inplace) {
        return new Stateless("ReLU", inplace ? "inplace=True" : "", Functional::relu);
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
