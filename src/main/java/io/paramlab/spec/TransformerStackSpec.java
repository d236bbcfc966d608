package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.nn.TransformerStack;
import io.paramlab.tensor.Generator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nn.TransformerEncoder(encoder_layer, num_layers, norm)} and {@code nn.TransformerDecoder(decoder_layer,
 * num_layers, norm)}: the layer node is built once and copied num_layers times, as PyTorch's
 * {@code _get_clones} deep-copies it (here: built again from the generator state the first build
 * started from, so every copy has the first one's values and the generator ends where one build
 * leaves it); then the norm node, which PyTorch's caller constructs after the layer.
 */
public record TransformerStackSpec(boolean decoder, LayerSpec.TransformerLayer layer, int numLayers, NodeSpec norm) implements NodeSpec {

    static NodeSpec parse(SpecParser.Context context) {
        JsonFields fields = context.fields();
        boolean decoder = context.json().get("type").stringValue().equals("TransformerDecoder");
        String layerKey = decoder ? "decoder_layer" : "encoder_layer";
        String layerType = decoder ? "TransformerDecoderLayer" : "TransformerEncoderLayer";
        fields.rejectUnknown(decoder ? "TransformerDecoder" : "TransformerEncoder", List.of("type", "name", layerKey, "num_layers", "norm",
                "enable_nested_tensor"));
        int numLayers = fields.requiredInt("num_layers", 1);
        fields.optionalBoolean("enable_nested_tensor", true);
        LayerSpec.TransformerLayer layer = null;
        if (!fields.has(layerKey) || fields.get(layerKey).isNull()) {
            fields.error(layerKey, "is required: a " + layerType + " node");
        } else {
            NodeSpec node = context.child(layerKey);
            if (node instanceof LayerSpec.TransformerLayer t && t.type().equals(layerType)) {
                layer = t;
            } else if (node != null) {
                fields.error(layerKey, "must be a " + layerType + " node");
            }
        }
        NodeSpec norm = context.child("norm");
        if (norm instanceof Ref) {
            fields.error("norm", "must be a layer node (a LayerNorm), not a ref");
        }
        return new TransformerStackSpec(decoder, layer, numLayers, norm);
    }

    public Module build(ModuleFactory factory) {
        Generator generator = factory.generator();
        Generator start = generator.copy();
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            if (i > 0) {
                generator.restore(start);
            }
            layers.add(layer.build(factory));
        }
        return new TransformerStack(decoder, layers, norm == null ? null : norm.build(factory));
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", decoder ? "TransformerDecoder" : "TransformerEncoder");
        out.put(decoder ? "decoder_layer" : "encoder_layer", layer.json());
        out.put("num_layers", numLayers);
        out.put("norm", norm == null ? null : norm.json());
        return out;
    }

    public NodeSpec settle(Map<LayerSpec, Module> built) {
        return this;
    }

    @Override
    public List<Child> children() {
        return norm == null ? List.of() : List.of(new Child("norm", norm));
    }

    @Override
    public long ownElements() {
        return Sizes.multiply(layer.elements(), numLayers);
    }

    @Override
    public long paths(Map<String, Long> pathsByKey) {
        return Sizes.add(NodeSpec.super.paths(pathsByKey), Sizes.multiply(numLayers, 7L) + 1);
    }

    @Override
    public int depth(Map<String, Integer> depthByKey) {
        return Math.max(NodeSpec.super.depth(depthByKey), 3);
    }
}
