package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import java.util.Arrays;

/** {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine)}: weight ones, bias zeros. */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        int numel = Arrays.stream(normalizedShape).reduce(1, (a, b) -> a * b);
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.parameter(new float[numel], normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.parameter(new float[numel], normalizedShape)) : null;
        Affine.resetBoth(weight, bias);
    }

    @Override
    public void resetParameter(String name, Generator generator) {
        if (!Affine.reset(name, localParameters().get("weight"), localParameters().get("bias"))) {
            super.resetParameter(name, generator);
        }
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return "LayerNorm";
    }

    @Override
    protected String extraRepr() {
        return PyRepr.tuple(normalizedShape) + ", eps=" + PyRepr.floating(eps)
                + ", elementwise_affine=" + PyRepr.bool(weight != null);
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.layerNorm(input, normalizedShape, localParameters().get("weight"), localParameters().get("bias"), eps);
    }
}
