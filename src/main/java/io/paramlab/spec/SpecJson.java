package io.paramlab.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The spec as JSON-ready maps, defaults filled in: what {@code GET /models/{id}} shows as {@code spec}. */
public final class SpecJson {
    private SpecJson() {
    }

    public static Map<String, Object> of(ModelSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", spec.name());
        out.put("seed", spec.seed());
        Map<String, Object> shared = new LinkedHashMap<>();
        spec.shared().forEach((key, node) -> shared.put(key, node(node)));
        out.put("shared", shared);
        out.put("model", node(spec.model()));
        return out;
    }

    private static Map<String, Object> node(NodeSpec node) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node instanceof NodeSpec.Ref r) {
            out.put("ref", r.key());
        } else if (node instanceof NodeSpec.Sequential s) {
            out.put("type", "Sequential");
            List<Map<String, Object>> layers = new ArrayList<>();
            for (NodeSpec.Child child : s.layers()) {
                Map<String, Object> layer = new LinkedHashMap<>();
                layer.put("name", child.name());
                layer.putAll(node(child.node()));
                layers.add(layer);
            }
            out.put("layers", layers);
        } else {
            LayerSpec layer = (LayerSpec) node;
            out.put("type", layer.type());
            out.putAll(layer.arguments());
        }
        return out;
    }
}
