package io.paramlab.spec;

import java.util.HashMap;
import java.util.Map;

/**
 * What a spec would allocate, computed before anything is built: unique parameter and buffer
 * elements (a shared entry counted once), module paths (a shared entry counted at every use, as
 * state_dict walks them) and the depth of the module tree with refs followed. Counts saturate
 * instead of overflowing.
 */
public record SpecSize(long elementCount, long modulePaths, int depth) {

    public static SpecSize of(ModelSpec spec) {
        long params = ownParameters(spec.model());
        Map<String, Long> pathsByKey = new HashMap<>();
        Map<String, Integer> depthByKey = new HashMap<>();
        for (Map.Entry<String, NodeSpec> entry : spec.shared().entrySet()) {
            params = add(params, ownParameters(entry.getValue()));
            pathsByKey.put(entry.getKey(), paths(entry.getValue(), pathsByKey));
            depthByKey.put(entry.getKey(), depth(entry.getValue(), depthByKey));
        }
        return new SpecSize(params, paths(spec.model(), pathsByKey), depth(spec.model(), depthByKey));
    }

    /** Sequentials nested on the deepest path, refs followed. */
    private static int depth(NodeSpec node, Map<String, Integer> depthByKey) {
        if (node instanceof NodeSpec.Ref r) {
            return depthByKey.getOrDefault(r.key(), 0);
        }
        int deepest = 0;
        if (node instanceof NodeSpec.Sequential s) {
            for (NodeSpec.Child child : s.layers()) deepest = Math.max(deepest, 1 + depth(child.node(), depthByKey));
        }
        return deepest;
    }

    /** Parameter and buffer elements a node constructs itself; refs construct nothing. */
    private static long ownParameters(NodeSpec node) {
        if (node instanceof LayerSpec layer) {
            return layer.elements();
        }
        long sum = 0;
        if (node instanceof NodeSpec.Sequential s) {
            for (NodeSpec.Child child : s.layers()) sum = add(sum, ownParameters(child.node()));
        }
        return sum;
    }

    private static long paths(NodeSpec node, Map<String, Long> pathsByKey) {
        if (node instanceof NodeSpec.Ref r) {
            return pathsByKey.getOrDefault(r.key(), 1L);
        }
        long sum = 1;
        if (node instanceof NodeSpec.Sequential s) {
            for (NodeSpec.Child child : s.layers()) sum = add(sum, paths(child.node(), pathsByKey));
        }
        return sum;
    }
    private static long add(long a, long b) {
        return Sizes.add(a, b);
    }
}
