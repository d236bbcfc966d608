package io.paramlab.spec;

import io.paramlab.nn.Module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A whole model spec: its name, optional seed, shared entries in JSON order, and the root. */
public record ModelSpec(String name, Long seed, Map<String, NodeSpec> shared, NodeSpec model) {

    /** This spec with each layer as its built module is now (a lazy layer after its first forward says Linear). */
    public ModelSpec settled(Map<LayerSpec, Module> built) {
        Map<String, NodeSpec> settledShared = new LinkedHashMap<>();
        shared.forEach((key, node) -> settledShared.put(key, settle(node, built)));
        return new ModelSpec(name, seed, settledShared, settle(model, built));
    }

    private static NodeSpec settle(NodeSpec node, Map<LayerSpec, Module> built) {
        if (node instanceof LayerSpec layer) {
            Module module = built.get(layer);
            return module == null ? layer : layer.settled(module);
        }
        if (node instanceof NodeSpec.Sequential s) {
            List<NodeSpec.Child> children = new ArrayList<>();
            s.layers().forEach(c -> children.add(new NodeSpec.Child(c.name(), settle(c.node(), built))));
            return new NodeSpec.Sequential(children);
        }
        return node;
    }
}
