package io.paramlab.spec;

import io.paramlab.nn.BatchNorm1d;
import io.paramlab.nn.Dropout;
import io.paramlab.nn.LayerNorm;
import io.paramlab.nn.Linear;
import io.paramlab.nn.Module;
import io.paramlab.nn.Sequential;
import io.paramlab.nn.Stateless;
import io.paramlab.tensor.Generator;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds the module tree of a validated spec in the construction order of the API, which
 * decides what a seed draws: shared entries in JSON order, then the model depth-first.
 */
public final class ModuleFactory {
    private final Generator generator;
    private final Map<String, Module> shared = new HashMap<>();

    private ModuleFactory(Generator generator) {
        this.generator = generator;
    }

    public static Module build(ModelSpec spec, Generator generator) {
        ModuleFactory factory = new ModuleFactory(generator);
        spec.shared().forEach((key, node) -> factory.shared.put(key, factory.build(node)));
        return factory.build(spec.model());
    }

    private Module build(NodeSpec node) {
        if (node instanceof NodeSpec.Ref r) {
            return shared.get(r.key());
        }
        if (node instanceof NodeSpec.Sequential s) {
            Sequential sequential = new Sequential();
            for (NodeSpec.Child child : s.layers()) {
                sequential.add(child.name(), build(child.node()));
            }
            return sequential;
        }
        if (node instanceof NodeSpec.Linear l) {
            return new Linear(l.inFeatures(), l.outFeatures(), l.bias(), generator);
        }
        if (node instanceof NodeSpec.Activation a) {
            return switch (a.type()) {
                case "ReLU" -> Stateless.relu();
                case "Sigmoid" -> Stateless.sigmoid();
                case "Tanh" -> Stateless.tanh();
                default -> Stateless.identity();
            };
        }
        if (node instanceof NodeSpec.LeakyReLU l) {
            return Stateless.leakyRelu(l.negativeSlope());
        }
        if (node instanceof NodeSpec.GELU g) {
            return Stateless.gelu(g.approximate());
        }
        if (node instanceof NodeSpec.Softmax s) {
            return Stateless.softmax(s.dim());
        }
        if (node instanceof NodeSpec.Flatten f) {
            return Stateless.flatten(f.startDim(), f.endDim());
        }
        if (node instanceof NodeSpec.Dropout d) {
            return new Dropout(d.p(), generator);
        }
        if (node instanceof NodeSpec.LayerNorm n) {
            return new LayerNorm(n.normalizedShape(), n.eps(), n.elementwiseAffine());
        }
        NodeSpec.BatchNorm1d b = (NodeSpec.BatchNorm1d) node;
        return new BatchNorm1d(b.numFeatures(), b.eps(), b.momentum(), b.affine(), b.trackRunningStats());
    }
}
