package io.paramlab.spec;

import java.util.HashMap;
import java.util.Map;

/**
 * What a spec would allocate, computed before anything is built: unique parameter and buffer
 * elements (a shared entry counted once), module paths (a shared entry counted at every use, as
 * state_dict walks them) and the depth of the module tree with refs followed. Counts saturate
 * instead of overflowing. Each node kind sizes itself ({@link NodeSpec#elements} and friends).
 */
public record SpecSize(long elementCount, long modulePaths, int depth) {

    public static SpecSize of(ModelSpec spec) {
        long params = spec.model().elements();
        Map<String, Long> pathsByKey = new HashMap<>();
        Map<String, Integer> depthByKey = new HashMap<>();
        for (Map.Entry<String, NodeSpec> entry : spec.shared().entrySet()) {
            params = Sizes.add(params, entry.getValue().elements());
            pathsByKey.put(entry.getKey(), entry.getValue().paths(pathsByKey));
            depthByKey.put(entry.getKey(), entry.getValue().depth(depthByKey));
        }
        return new SpecSize(params, spec.model().paths(pathsByKey), spec.model().depth(depthByKey));
    }
}
