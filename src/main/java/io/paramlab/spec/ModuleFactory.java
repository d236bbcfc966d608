package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the module tree of a validated spec in the construction order of the API, which
 * decides what a seed draws: shared entries in JSON order, then the model depth-first. Each
 * node builds itself ({@link NodeSpec#build}); what needs the built modules (a graph's targets)
 * is checked on the way and refused together, as a 400, before the model exists.
 */
public final class ModuleFactory {
    private final Generator generator;
    private final Map<String, Module> shared = new HashMap<>();
    private final Map<LayerSpec, Module> built = new IdentityHashMap<>();
    private final List<FieldError> errors = InvalidInputException.collector();

    private ModuleFactory(Generator generator) {
        this.generator = generator;
    }

    /** The root module, and which module each layer node built (for {@link ModelSpec#settled}). */
    public record Built(Module root, Map<LayerSpec, Module> modules) {
    }

    public static Built build(ModelSpec spec, Generator generator) {
        ModuleFactory factory = new ModuleFactory(generator);
        spec.shared().forEach((key, node) -> factory.shared.put(key, node.build(factory)));
        Module root = spec.model().build(factory);
        if (!factory.errors.isEmpty()) {
            throw new InvalidInputException(factory.errors);
        }
        return new Built(root, factory.built);
    }

    Generator generator() {
        return generator;
    }

    Module shared(String key) {
        return shared.get(key);
    }

    /** A layer node's fresh module, remembered for {@link ModelSpec#settled}. */
    Module layer(LayerSpec layer) {
        Module module = layer.build(generator);
        built.put(layer, module);
        return module;
    }

    void error(FieldError error) {
        errors.add(error);
    }
}
