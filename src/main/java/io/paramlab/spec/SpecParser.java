package io.paramlab.spec;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a model spec from JSON, filling in PyTorch's defaults and naming every field at fault.
 * Nesting is checked while descending, so a hostile depth is refused before it can recurse far.
 */
public final class SpecParser {
    private static final List<String> ACTIVATIONS = List.of("ReLU", "Sigmoid", "Tanh", "Identity");
    static final List<String> TYPES = List.of("Linear", "ReLU", "Sigmoid", "Tanh", "Identity", "LeakyReLU",
            "GELU", "Softmax", "Dropout", "Flatten", "LayerNorm", "BatchNorm1d", "Sequential");

    private final int maxDepth;
    private final List<FieldError> errors = InvalidInputException.collector();
    private final Map<String, NodeSpec> shared = new LinkedHashMap<>();
    private Set<String> sharedKeys = Set.of();

    private SpecParser(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    public static ModelSpec parse(JsonNode root, int maxDepth) {
        return new SpecParser(maxDepth).parseRoot(root);
    }

    private ModelSpec parseRoot(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("", "the body must be a JSON object with a \"model\"");
        }
        JsonFields fields = new JsonFields(root, "", errors);
        fields.rejectUnknown("a model spec", List.of("name", "seed", "shared", "model"));
        String name = fields.optionalString("name", null, List.of());
        Long seed = fields.optionalLong("seed");
        JsonNode sharedNode = root.get("shared");
        if (sharedNode != null && !sharedNode.isNull()) {
            if (!sharedNode.isObject()) {
                fields.error("shared", "must be an object of named layers");
            } else {
                sharedKeys = new HashSet<>(sharedNode.propertyNames());
                for (Map.Entry<String, JsonNode> entry : sharedNode.properties()) {
                    String key = entry.getKey();
                    shared.put(key, node(entry.getValue(), "shared." + key, 0, key));
                }
            }
        }
        NodeSpec model = null;
        if (!root.has("model") || root.get("model").isNull()) {
            fields.error("model", "is required");
        } else {
            model = node(root.get("model"), "model", 0, null);
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new ModelSpec(name, seed, shared, model);
    }

    /** One node; {@code inShared} is the shared key being defined, which may ref only earlier keys. */
    private NodeSpec node(JsonNode json, String path, int depth, String inShared) {
        if (depth > maxDepth) {
            throw new LimitExceededException(path, "max-depth", depth, maxDepth,
                    "the spec nests deeper than " + maxDepth + " levels (paramlab.limits.max-depth)");
        }
        if (json == null || !json.isObject()) {
            errors.add(new FieldError(path, "must be a layer object with a \"type\", or a {\"ref\": KEY}"));
            return null;
        }
        JsonFields fields = new JsonFields(json, path, errors);
        if (json.has("ref")) {
            return ref(fields, json.get("ref"), inShared);
        }
        if (!json.has("type") || !json.get("type").isString()) {
            fields.error("type", "is required: one of " + String.join(", ", TYPES));
            return null;
        }
        String type = json.get("type").stringValue();
        return switch (type) {
            case "Sequential" -> sequential(fields, json, path, depth, inShared);
            case "Linear" -> {
                fields.rejectUnknown(type, args("in_features", "out_features", "bias"));
                yield new NodeSpec.Linear(fields.requiredInt("in_features", 1), fields.requiredInt("out_features", 1),
                        fields.optionalBoolean("bias", true));
            }
            case "ReLU", "Sigmoid", "Tanh", "Identity" -> {
                fields.rejectUnknown(type, args());
                yield new NodeSpec.Activation(type);
            }
            case "LeakyReLU" -> {
                fields.rejectUnknown(type, args("negative_slope"));
                yield new NodeSpec.LeakyReLU(fields.optionalNumber("negative_slope", 0.01));
            }
            case "GELU" -> {
                fields.rejectUnknown(type, args("approximate"));
                yield new NodeSpec.GELU(fields.optionalString("approximate", "none", List.of("none", "tanh")));
            }
            case "Softmax" -> {
                fields.rejectUnknown(type, args("dim"));
                yield new NodeSpec.Softmax(fields.optionalInt("dim", -1, Integer.MIN_VALUE));
            }
            case "Dropout" -> dropout(fields);
            case "Flatten" -> {
                fields.rejectUnknown(type, args("start_dim", "end_dim"));
                yield new NodeSpec.Flatten(fields.optionalInt("start_dim", 1, Integer.MIN_VALUE),
                        fields.optionalInt("end_dim", -1, Integer.MIN_VALUE));
            }
            case "LayerNorm" -> {
                fields.rejectUnknown(type, args("normalized_shape", "eps", "elementwise_affine"));
                yield new NodeSpec.LayerNorm(normalizedShape(fields), fields.optionalNumber("eps", 1e-5),
                        fields.optionalBoolean("elementwise_affine", true));
            }
            case "BatchNorm1d" -> batchNorm(fields, json);
            default -> {
                fields.error("type", "unknown layer type \"" + type + "\"; known: " + String.join(", ", TYPES));
                yield null;
            }
        };
    }

    private static List<String> args(String... names) {
        List<String> known = new ArrayList<>(List.of("type", "name"));
        known.addAll(List.of(names));
        return known;
    }

    private NodeSpec ref(JsonFields fields, JsonNode key, String inShared) {
        fields.rejectUnknown("a ref", List.of("ref", "name"));
        if (!key.isString()) {
            fields.error("ref", "must be the key of a shared entry, got " + JsonFields.describe(key));
            return null;
        }
        String k = key.stringValue();
        if (!sharedKeys.contains(k)) {
            fields.error("ref", "unknown shared key \"" + k + "\"" + (sharedKeys.isEmpty() ? "; the spec has no \"shared\" entries"
                    : "; known: " + String.join(", ", sharedKeys)));
        } else if (inShared != null && !shared.containsKey(k)) {
            fields.error("ref", k.equals(inShared)
                    ? "shared entry \"" + k + "\" refers to itself (a cycle)"
                    : "shared entry \"" + inShared + "\" refers to \"" + k + "\", which comes after it; a shared entry may only ref earlier entries, so cycles cannot form");
        }
        return new NodeSpec.Ref(k);
    }

    private NodeSpec sequential(JsonFields fields, JsonNode json, String path, int depth, String inShared) {
        fields.rejectUnknown("Sequential", args("layers"));
        JsonNode layers = json.get("layers");
        List<NodeSpec.Child> children = new ArrayList<>();
        if (layers == null || layers.isNull()) {
            return new NodeSpec.Sequential(children);
        }
        if (!layers.isArray()) {
            fields.error("layers", "must be an array of layers");
            return null;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            String childPath = path + ".layers[" + i + "]";
            JsonNode child = layers.get(i);
            String name = String.valueOf(i);
            if (child.isObject() && child.has("name")) {
                JsonNode n = child.get("name");
                if (!n.isString() || n.stringValue().isEmpty() || n.stringValue().contains(".") || n.stringValue().contains("/")) {
                    errors.add(new FieldError(childPath + ".name",
                            "must be a non-empty string without \".\" or \"/\", got " + JsonFields.describe(n)));
                } else {
                    name = n.stringValue();
                }
            }
            if (!names.add(name)) {
                errors.add(new FieldError(childPath + ".name", "attribute '" + name + "' already exists among the siblings"));
            }
            children.add(new NodeSpec.Child(name, node(child, childPath, depth + 1, inShared)));
        }
        return new NodeSpec.Sequential(children);
    }

    private NodeSpec dropout(JsonFields fields) {
        fields.rejectUnknown("Dropout", args("p"));
        double p = fields.optionalNumber("p", 0.5);
        if (p < 0 || p > 1) {
            fields.error("p", "dropout probability has to be between 0 and 1, but got " + p);
        }
        return new NodeSpec.Dropout(p);
    }

    private int[] normalizedShape(JsonFields fields) {
        JsonNode shape = fields.get("normalized_shape");
        if (shape != null && shape.isIntegralNumber() && shape.canConvertToInt() && shape.intValue() >= 1) {
            return new int[] {shape.intValue()};
        }
        if (shape != null && shape.isArray() && !shape.isEmpty()) {
            int[] dims = new int[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = shape.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 1) {
                    fields.error("normalized_shape", "must be a positive integer or a non-empty list of them, got " + JsonFields.describe(shape));
                    return new int[] {1};
                }
                dims[i] = d.intValue();
            }
            return dims;
        }
        fields.error("normalized_shape", shape == null ? "is required"
                : "must be a positive integer or a non-empty list of them, got " + JsonFields.describe(shape));
        return new int[] {1};
    }

    private NodeSpec batchNorm(JsonFields fields, JsonNode json) {
        fields.rejectUnknown("BatchNorm1d", args("num_features", "eps", "momentum", "affine", "track_running_stats"));
        Double momentum = 0.1;
        if (json.has("momentum") && json.get("momentum").isNull()) {
            momentum = null;
        } else {
            momentum = fields.optionalNumber("momentum", 0.1);
        }
        return new NodeSpec.BatchNorm1d(fields.requiredInt("num_features", 1), fields.optionalNumber("eps", 1e-5), momentum,
                fields.optionalBoolean("affine", true), fields.optionalBoolean("track_running_stats", true));
    }
}
