package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

/** {@code nn.GroupNorm(num_groups, num_channels, eps, affine)}: weight ones and bias zeros per channel. */
public final class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.parameter(new float[numChannels], numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.parameter(new float[numChannels], numChannels)) : null;
        Affine.resetBoth(weight, bias);
    }

    @Override
    public void resetParameter(String name, Generator generator) {
        if (!Affine.reset(name, weight, bias)) {
            super.resetParameter(name, generator);
        }
    }

    @Override
    public String typeName() {
        return "GroupNorm";
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + PyRepr.floating(eps) + ", affine=" + PyRepr.bool(weight != null);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.groupNorm(input, numGroups, weight, bias, eps);
    }
}
