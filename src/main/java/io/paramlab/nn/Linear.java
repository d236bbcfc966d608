package io.paramlab.nn;

import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

/** {@code nn.Linear(in_features, out_features, bias)}: y = x W^T + b. */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.parameter(new float[outFeatures * inFeatures], outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.parameter(new float[outFeatures], outFeatures)) : null;
        resetParameter("weight", generator);
        if (bias) {
            resetParameter("bias", generator);
        }
    }

    /** {@code reset_parameters()} for one parameter: kaiming_uniform(a=sqrt(5)) for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias. */
    @Override
    public void resetParameter(String name, Generator generator) {
        switch (name) {
            case "weight" -> Initializer.apply(new InitPolicy.KaimingUniform(Math.sqrt(5), "fan_in", "leaky_relu"),
                    weight.data(), weight.shape(), generator);
            case "bias" -> {
                double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
                Initializer.apply(new InitPolicy.Uniform(-bound, bound), bias.data(), bias.shape(), generator);
            }
            default -> super.resetParameter(name, generator);
        }
    }

    @Override
    public String typeName() {
        return "Linear";
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + PyRepr.bool(bias != null);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.linear(input, weight, bias);
    }
}
