package io.paramlab.spec;

import io.paramlab.nn.Module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole model spec: its name, optional seed, shared entries in JSON order, the root, and the
 * parameter ties applied in order after construction ({@code head.weight = tok.weight}).
 */
public record ModelSpec(String name, Long seed, Map<String, NodeSpec> shared, NodeSpec model, List<Tie> tiedParameters) {

    /** {@code tied_parameters[i]}: the parameter at {@code param} becomes the one at {@code to}, as PyTorch's attribute assignment. */
    public record Tie(String param, String to) {
    }

    public ModelSpec(String name, Long seed, Map<String, NodeSpec> shared, NodeSpec model) {
        this(name, seed, shared, model, List.of());
    }

    public ModelSpec {
        tiedParameters = tiedParameters == null ? List.of() : List.copyOf(tiedParameters);
    }

    /** This spec with each layer as its built module is now (a lazy layer after its first forward says Linear). */
    public ModelSpec settled(Map<LayerSpec, Module> built) {
        Map<String, NodeSpec> settledShared = new LinkedHashMap<>();
        shared.forEach((key, node) -> settledShared.put(key, node.settle(built)));
        return new ModelSpec(name, seed, settledShared, model.settle(built), tiedParameters);
    }
}
