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
        } else if (node instanceof NodeSpec.Linear l) {
            out.put("type", "Linear");
            out.put("in_features", l.inFeatures());
            out.put("out_features", l.outFeatures());
            out.put("bias", l.bias());
        } else if (node instanceof NodeSpec.Activation a) {
            out.put("type", a.type());
        } else if (node instanceof NodeSpec.LeakyReLU l) {
            out.put("type", "LeakyReLU");
            out.put("negative_slope", l.negativeSlope());
        } else if (node instanceof NodeSpec.GELU g) {
            out.put("type", "GELU");
            out.put("approximate", g.approximate());
        } else if (node instanceof NodeSpec.Softmax s) {
            out.put("type", "Softmax");
            out.put("dim", s.dim());
        } else if (node instanceof NodeSpec.Dropout d) {
            out.put("type", "Dropout");
            out.put("p", d.p());
        } else if (node instanceof NodeSpec.Flatten f) {
            out.put("type", "Flatten");
            out.put("start_dim", f.startDim());
            out.put("end_dim", f.endDim());
        } else if (node instanceof NodeSpec.LayerNorm n) {
            out.put("type", "LayerNorm");
            out.put("normalized_shape", n.normalizedShape());
            out.put("eps", n.eps());
            out.put("elementwise_affine", n.elementwiseAffine());
        } else if (node instanceof NodeSpec.BatchNorm1d b) {
            out.put("type", "BatchNorm1d");
            out.put("num_features", b.numFeatures());
            out.put("eps", b.eps());
            out.put("momentum", b.momentum());
            out.put("affine", b.affine());
            out.put("track_running_stats", b.trackRunningStats());
        }
        return out;
    }
}
