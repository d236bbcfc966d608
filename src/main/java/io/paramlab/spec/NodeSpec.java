package io.paramlab.spec;

import java.util.List;

/**
 * One node of a model spec: a layer with its arguments (defaults filled in), a Sequential of
 * named children, or a reference to a shared entry. Field names follow PyTorch's arguments.
 */
public sealed interface NodeSpec {

    /** A {@code {"ref": key}} node: the shared module itself, never a copy. */
    record Ref(String key) implements NodeSpec {
    }

    /** A child of a Sequential; {@code name} defaults to the child's index. */
    record Child(String name, NodeSpec node) {
    }

    record Sequential(List<Child> layers) implements NodeSpec {
    }

    record Linear(int inFeatures, int outFeatures, boolean bias) implements NodeSpec {
    }

    /** ReLU, Sigmoid, Tanh, Identity: activations with no arguments. */
    record Activation(String type) implements NodeSpec {
    }

    record LeakyReLU(double negativeSlope) implements NodeSpec {
    }

    record GELU(String approximate) implements NodeSpec {
    }

    record Softmax(int dim) implements NodeSpec {
    }

    record Dropout(double p) implements NodeSpec {
    }

    record Flatten(int startDim, int endDim) implements NodeSpec {
    }

    record LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) implements NodeSpec {
    }

    /** {@code momentum} null is PyTorch's momentum=None (a cumulative average). */
    record BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats)
            implements NodeSpec {
    }
}
