package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.nn.Sequential;
import io.paramlab.tensor.Generator;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Builds the module tree of a validated spec in the construction order of the API, which
 * decides what a seed draws: shared entries in JSON order, then the model depth-first.
 */
public final class ModuleFactory {
    private final Generator generator;
    private final Map<String, Module> shared = new HashMap<>();
    private final Map<LayerSpec, Module> built = new IdentityHashMap<>();

    private ModuleFactory(Generator generator) {
        this.generator = generator;
    }

    /** The root module, and which module each layer node built (for {@link ModelSpec#settled}). */
    public record Built(Module root, Map<LayerSpec, Module> modules) {
    }

    public static Built build(ModelSpec spec, Generator generator) {
        ModuleFactory factory = new ModuleFactory(generator);
        spec.shared().forEach((key, node) -> factory.shared.put(key, factory.build(node)));
        Module root = factory.build(spec.model());
        return new Built(root, factory.built);
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
        LayerSpec layer = (LayerSpec) node;
        Module module = layer.build(generator);
        built.put(layer, module);
        return module;
    }
}
