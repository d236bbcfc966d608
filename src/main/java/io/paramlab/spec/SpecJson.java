package io.paramlab.spec;

import java.util.LinkedHashMap;
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
        spec.shared().forEach((key, node) -> shared.put(key, node.json()));
        out.put("shared", shared);
        out.put("model", spec.model().json());
        if (!spec.tiedParameters().isEmpty()) {
            out.put("tied_parameters", spec.tiedParameters().stream().map(t -> Map.of("param", t.param(), "to", t.to())).toList());
        }
        return out;
    }
}
