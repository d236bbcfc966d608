package io.paramlab.spec;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a model spec from JSON, filling in PyTorch's defaults and naming every field at fault.
 * Nesting is checked while descending, so a hostile depth is refused before it can recurse far.
 */
public final class SpecParser {
    /** Every type a node may have: the layers, then Sequential. */
    static final List<String> TYPES = types();

    private static List<String> types() {
        List<String> types = new ArrayList<>(LayerSpec.TYPES.keySet());
        types.add("Sequential");
        return List.copyOf(types);
    }

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
        String name = root.has("name") && root.get("name").isNull() ? null : fields.optionalString("name", null, List.of());
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
        if (type.equals("Sequential")) {
            return sequential(fields, json, path, depth, inShared);
        }
        Function<Args, LayerSpec> parser = LayerSpec.TYPES.get(type);
        if (parser == null) {
            fields.error("type", "unknown layer type \"" + type + "\"; known: " + String.join(", ", TYPES));
            return null;
        }
        Args args = new Args(fields, type);
        LayerSpec layer = parser.apply(args);
        args.rejectUnknown();
        return layer;
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
}
