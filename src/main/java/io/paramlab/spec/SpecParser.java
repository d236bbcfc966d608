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
 * Layers parse through {@link LayerSpec#TYPES}, the structural kinds through {@link #KINDS}.
 * Nesting is checked while descending, so a hostile depth is refused before it can recurse far.
 */
public final class SpecParser {
    /** The structural node kinds by their {@code type}, each parsing itself. */
    static final Map<String, Function<Context, NodeSpec>> KINDS = Map.of(
            "Sequential", SequentialSpec::parse,
            "Module", ModuleSpec::parse,
            "ModuleList", ModuleListSpec::parse,
            "ModuleDict", ModuleDictSpec::parse,
            "TransformerEncoder", TransformerStackSpec::parse,
            "TransformerDecoder", TransformerStackSpec::parse);

    /** Every type a node may have: the layers, then the structural kinds. */
    static final List<String> TYPES = types();

    private static List<String> types() {
        List<String> types = new ArrayList<>(LayerSpec.TYPES.keySet());
        types.addAll(List.of("Sequential", "Module", "ModuleList", "ModuleDict", "TransformerEncoder", "TransformerDecoder"));
        return List.copyOf(types);
    }

    /** Limits the parser enforces while reading. */
    public record Limits(int maxDepth, int maxGraphNodes) {
    }

    private final Limits limits;
    private final List<FieldError> errors = InvalidInputException.collector();
    private final Map<String, NodeSpec> shared = new LinkedHashMap<>();
    private Set<String> sharedKeys = Set.of();

    private SpecParser(Limits limits) {
        this.limits = limits;
    }

    public static ModelSpec parse(JsonNode root, int maxDepth) {
        return parse(root, new Limits(maxDepth, GraphParser.DEFAULT_MAX_NODES));
    }

    public static ModelSpec parse(JsonNode root, Limits limits) {
        return new SpecParser(limits).parseRoot(root);
    }

    private ModelSpec parseRoot(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("", "the body must be a JSON object with a \"model\"");
        }
        JsonFields fields = new JsonFields(root, "", errors);
        fields.rejectUnknown("a model spec", List.of("name", "seed", "shared", "model", "tied_parameters"));
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
        List<ModelSpec.Tie> ties = ties(fields, root.get("tied_parameters"));
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new ModelSpec(name, seed, shared, model, ties);
    }

    /** {@code tied_parameters}: a list of {"param": PATH, "to": PATH}; the paths are checked against the built model. */
    private List<ModelSpec.Tie> ties(JsonFields fields, JsonNode list) {
        List<ModelSpec.Tie> ties = new ArrayList<>();
        if (list == null || list.isNull()) {
            return ties;
        }
        if (!list.isArray()) {
            fields.error("tied_parameters", "must be a list of {\"param\": NAME, \"to\": NAME}");
            return ties;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonFields tie = new JsonFields(list.get(i), "tied_parameters[" + i + "]", errors);
            if (!list.get(i).isObject()) {
                errors.add(new FieldError("tied_parameters[" + i + "]", "must be an object {\"param\": NAME, \"to\": NAME}"));
                continue;
            }
            tie.rejectUnknown("a tie", List.of("param", "to"));
            String param = tie.optionalString("param", null, List.of());
            String to = tie.optionalString("to", null, List.of());
            if (param == null) tie.error("param", "is required: the parameter that becomes the other one (head.weight)");
            if (to == null) tie.error("to", "is required: the parameter it becomes (tok.weight)");
            if (param != null && to != null) ties.add(new ModelSpec.Tie(param, to));
        }
        return ties;
    }

    /** One node; {@code inShared} is the shared key being defined, which may ref only earlier keys. */
    private NodeSpec node(JsonNode json, String path, int depth, String inShared) {
        if (depth > limits.maxDepth()) {
            throw new LimitExceededException(path, "max-depth", depth, limits.maxDepth(),
                    "the spec nests deeper than " + limits.maxDepth() + " levels (paramlab.limits.max-depth)");
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
        Function<Context, NodeSpec> kind = KINDS.get(type);
        if (kind != null) {
            return kind.apply(new Context(fields, json, path, depth, inShared));
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

    /** What a structural kind's parser reads: its object, its path, and the parser's errors, limits and children. */
    final class Context {
        private final JsonFields fields;
        private final JsonNode json;
        private final String path;
        private final int depth;
        private final String inShared;

        private Context(JsonFields fields, JsonNode json, String path, int depth, String inShared) {
            this.fields = fields;
            this.json = json;
            this.path = path;
            this.depth = depth;
            this.inShared = inShared;
        }

        JsonFields fields() {
            return fields;
        }

        JsonNode json() {
            return json;
        }

        String path() {
            return path;
        }

        List<FieldError> errors() {
            return errors;
        }

        int maxGraphNodes() {
            return limits.maxGraphNodes();
        }

        /** {@code class_name}: the name repr prints; a Python identifier. */
        String className(String defaultValue) {
            String name = fields.optionalString("class_name", defaultValue, List.of());
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                fields.error("class_name", "must be a Python class name, got \"" + name + "\"");
            }
            return name;
        }

        /** {@code version}: the class's {@code _version}, which state_dict() writes in {@code _metadata}. */
        int version() {
            return fields.optionalInt("version", 1, 1);
        }

        /**
         * The children under {@code key}: names default to indexes unless {@code namesRequired}; a
         * name is non-empty, has no "." or "/", and is unique among its siblings.
         */
        List<NodeSpec.Child> children(String key, boolean namesRequired) {
            JsonNode list = json.get(key);
            List<NodeSpec.Child> children = new ArrayList<>();
            if (list == null || list.isNull()) {
                return children;
            }
            if (!list.isArray()) {
                fields.error(key, "must be an array of nodes");
                return children;
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String childPath = path + "." + key + "[" + i + "]";
                JsonNode child = list.get(i);
                String name = String.valueOf(i);
                if (child.isObject() && child.has("name")) {
                    JsonNode n = child.get("name");
                    if (!n.isString() || n.stringValue().isEmpty() || n.stringValue().contains(".") || n.stringValue().contains("/")) {
                        errors.add(new FieldError(childPath + ".name",
                                "must be a non-empty string without \".\" or \"/\", got " + JsonFields.describe(n)));
                    } else {
                        name = n.stringValue();
                    }
                } else if (namesRequired) {
                    errors.add(new FieldError(childPath + ".name", "is required: a " + json.get("type").stringValue() + "'s children are named"));
                }
                if (!names.add(name)) {
                    errors.add(new FieldError(childPath + ".name", "attribute '" + name + "' already exists among the siblings"));
                }
                children.add(new NodeSpec.Child(name, node(child, childPath, depth + 1, inShared)));
            }
            return children;
        }

        /** The single node under {@code key}, or null when it is absent or null. */
        NodeSpec child(String key) {
            JsonNode node = json.get(key);
            return node == null || node.isNull() ? null : node(node, path + "." + key, depth + 1, inShared);
        }

        /** Names a Module's own tensors and children share: registering one twice is PyTorch's KeyError. */
        void claimNames(List<String> own, List<NodeSpec.Child> children, String ownField) {
            Set<String> taken = new HashSet<>();
            for (String name : own) {
                if (!taken.add(name)) {
                    fields.error(ownField, "attribute '" + name + "' already exists");
                }
            }
            for (int i = 0; i < children.size(); i++) {
                if (taken.contains(children.get(i).name())) {
                    errors.add(new FieldError(path + ".modules[" + i + "].name",
                            "attribute '" + children.get(i).name() + "' already exists"));
                }
            }
        }
    }
}
