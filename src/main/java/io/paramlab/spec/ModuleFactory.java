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
        if (factory.errors.isEmpty()) {
            factory.tie(root, spec.tiedParameters());
        }
        if (!factory.errors.isEmpty()) {
            throw new InvalidInputException(factory.errors);
        }
        return new Built(root, factory.built);
    }

    /**
     * Applies the ties in order, as PyTorch's {@code module.param = other_module.other_param}: the
     * parameter at {@code param} is replaced by the one at {@code to} (same shape), so one object
     * stands under both names. The tensor it replaced is gone, as in PyTorch.
     */
    private void tie(Module root, List<ModelSpec.Tie> ties) {
        for (int i = 0; i < ties.size(); i++) {
            ModelSpec.Tie tie = ties.get(i);
            String at = "tied_parameters[" + i + "]";
            Map<String, io.paramlab.tensor.Tensor> all = root.allParameterNames();
            io.paramlab.tensor.Tensor to = all.get(tie.to());
            io.paramlab.tensor.Tensor from = all.get(tie.param());
            if (to == null) {
                errors.add(new FieldError(at + ".to", "no parameter \"" + tie.to() + "\" in the model; known: " + String.join(", ", all.keySet())));
            }
            if (from == null) {
                errors.add(new FieldError(at + ".param", "no parameter \"" + tie.param() + "\" in the model; known: " + String.join(", ", all.keySet())));
            }
            if (to == null || from == null) {
                continue;
            }
            io.paramlab.tensor.Tensor lazy = !from.isInitialized() ? from : !to.isInitialized() ? to : null;
            if (lazy != null) {   // PyTorch's first forward then fails ('Parameter' object has no attribute 'materialize'); here it was a 500
                errors.add(new FieldError(at, (lazy == from ? tie.param() : tie.to()) + " is an uninitialized parameter of a lazy layer: "
                        + "a tie needs both parameters initialized (PyTorch cannot materialize a tied lazy parameter)"));
                continue;
            }
            if (!java.util.Arrays.equals(to.shape(), from.shape())) {
                errors.add(new FieldError(at, "shapes differ: " + tie.param() + " is " + java.util.Arrays.toString(from.shape()) + ", "
                        + tie.to() + " is " + java.util.Arrays.toString(to.shape())));
                continue;
            }
            int dot = tie.param().lastIndexOf('.');
            Module owner = dot < 0 ? root : root.submodule(tie.param().substring(0, dot));
            String local = tie.param().substring(dot + 1);
            String problem = owner.tieParameter(local, to);
            if (problem != null) {
                errors.add(new FieldError(at + ".param", problem));
            }
        }
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
