package io.paramlab.nn;

import io.paramlab.init.FanMode;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Nonlinearity;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

/**
 * {@code nn.Linear(in_features, out_features, bias)}: y = x W^T + b; and {@code nn.LazyLinear(out_features, bias)},
 * the same layer with uninitialized parameters until its first forward infers {@code in_features}
 * from the input and draws them, after which it is a Linear (PyTorch's {@code cls_to_become}).
 */
public final class Linear extends Module {
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;
    private final Generator generator;   // a lazy layer draws from the model's generator at its first forward
    private int inFeatures;
    private boolean lazy;
    private String className = "Linear";   // NonDynamicallyQuantizableLinear inside MultiheadAttention

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        this(outFeatures, bias, generator, false);
        this.inFeatures = inFeatures;
        weight.materialize(outFeatures, inFeatures);
        if (bias) {
            this.bias.materialize(outFeatures);
        }
        resetParameters();
    }

    /** {@code nn.LazyLinear(out_features, bias)}. */
    public static Linear lazy(int outFeatures, boolean bias, Generator generator) {
        return new Linear(outFeatures, bias, generator, true);
    }

    private Linear(int outFeatures, boolean bias, Generator generator, boolean lazy) {
        this.outFeatures = outFeatures;
        this.generator = generator;
        this.lazy = lazy;
        this.weight = registerParameter("weight", Tensor.uninitializedParameter());
        this.bias = bias ? registerParameter("bias", Tensor.uninitializedParameter()) : null;
    }

    private void resetParameters() {
        resetParameter("weight", generator);
        if (bias != null) {
            resetParameter("bias", generator);
        }
    }

    /** {@code reset_parameters()} for one parameter: kaiming_uniform(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
    @Override
    public void resetParameter(String name, Generator generator) {
        switch (name) {
            case "weight" -> Initializer.apply(new InitPolicy.KaimingUniform(Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU),
                    localParameters().get("weight").data(), localParameters().get("weight").shape(), generator);
            case "bias" -> {
                double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
                Initializer.apply(new InitPolicy.Uniform(-bound, bound), localParameters().get("bias").data(), bias.shape(), generator);
            }
            default -> super.resetParameter(name, generator);
        }
    }

    public int inFeatures() {
        return inFeatures;
    }

    public boolean isLazy() {
        return lazy;
    }

    @Override
    public boolean hasUninitializedParameters() {
        return lazy && !weight.isInitialized();
    }

    /**
     * PyTorch's lazy load hook: an uninitialized layer takes the loaded shapes (weight [out, in],
     * bias [out]) and becomes a Linear; the loader copies the values in afterwards.
     */
    @Override
    public String materializeForLoad(String prefix, java.util.Map<String, TensorData> state) {
        if (!hasUninitializedParameters()) {
            return null;
        }
        TensorData w = state.get(prefix + "weight");
        TensorData b = bias == null ? null : state.get(prefix + "bias");
        if (w == null && b == null) {
            return null;
        }
        if (w == null || (bias != null && b == null)) {
            return "a load into the uninitialized LazyLinear " + (prefix.isEmpty() ? "" : "'" + prefix.substring(0, prefix.length() - 1) + "' ")
                    + "must give all of its parameters (" + (bias == null ? "weight" : "weight and bias") + "), got only "
                    + (w == null ? "bias" : "weight");
        }
        int[] ws = w.shape();
        if (ws.length != 2 || ws[0] != outFeatures || ws[1] < 1 || (b != null && (b.shape().length != 1 || b.shape()[0] != outFeatures))) {
            return "size mismatch for " + prefix + "weight: a LazyLinear with out_features=" + outFeatures
                    + " takes a weight [" + outFeatures + ", in_features] and a bias [" + outFeatures + "], got "
                    + TensorData.torchSize(ws) + (b == null ? "" : " and " + TensorData.torchSize(b.shape()));
        }
        materialize(ws[1], false);
        return null;
    }

    private void materialize(int in, boolean draw) {
        inFeatures = in;
        weight.materialize(outFeatures, in);
        if (bias != null) {
            bias.materialize(outFeatures);
        }
        lazy = false;
        if (draw) {
            resetParameters();
        }
    }

    @Override
    protected Object saveStructure() {
        return new int[] {inFeatures, lazy ? 1 : 0};
    }

    @Override
    protected void restoreStructure(Object saved) {
        int[] s = (int[]) saved;
        inFeatures = s[0];
        lazy = s[1] == 1;
    }

    /** The same layer under another class name (MultiheadAttention's {@code NonDynamicallyQuantizableLinear}). */
    public Linear named(String className) {
        this.className = className;
        return this;
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return lazy ? "LazyLinear" : className;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + PyRepr.bool(bias != null);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (hasUninitializedParameters()) {
            if (input.dim() == 0) {
                throw new ShapeException("LazyLinear needs an input with at least one dimension to infer in_features");
            }
            materialize(input.size(-1), true);   // weight then bias, from the model's generator, as the forward pre-hook does
        }
        return Functional.linear(input, localParameters().get("weight"), bias == null ? null : localParameters().get("bias"));
    }
}
