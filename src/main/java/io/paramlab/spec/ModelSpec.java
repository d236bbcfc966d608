package io.paramlab.spec;

import io.paramlab.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/** A whole model spec: its name, optional seed, shared entries in JSON order, and the root. */
public record ModelSpec(String name, Long seed, Map<String, NodeSpec> shared, NodeSpec model) {

    /** This spec with each layer as its built module is now (a lazy layer after its first forward says Linear). */
    public ModelSpec settled(Map<LayerSpec, Module> built) {
        Map<String, NodeSpec> settledShared = new LinkedHashMap<>();
        shared.forEach((key, node) -> settledShared.put(key, node.settle(built)));
        return new ModelSpec(name, seed, settledShared, model.settle(built));
    }
}
