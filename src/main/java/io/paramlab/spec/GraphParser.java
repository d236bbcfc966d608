package io.paramlab.spec;

import io.paramlab.nn.fx.Arg;
import io.paramlab.nn.fx.Graph;
import io.paramlab.nn.fx.Node;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Module node's {@code graph} into {@link Graph} records, naming every malformed field
 * ({@code model.graph[6].args[1]}); the rules that need the built modules are checked by
 * {@link Graph#validate} when the model is built.
 */
final class GraphParser {
    /** {@code paramlab.limits.max-graph-nodes} when no configuration says otherwise. */
    static final int DEFAULT_MAX_NODES = 10_000;
    private static final int MAX_ARG_NESTING = 16;

    private final List<FieldError> errors;

    private GraphParser(List<FieldError> errors) {
        this.errors = errors;
    }

    static Graph parse(JsonFields owner, JsonNode json, int maxNodes, List<FieldError> errors) {
        if (!json.isArray()) {
            owner.error("graph", "must be a list of nodes, as torch.fx writes them");
            return null;
        }
        if (json.size() > maxNodes) {
            throw new LimitExceededException(owner.path("graph"), "max-graph-nodes", json.size(), maxNodes,
                    "the graph has " + json.size() + " nodes, over the limit of " + maxNodes + " (paramlab.limits.max-graph-nodes)");
        }
        GraphParser parser = new GraphParser(errors);
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            Node node = parser.node(json.get(i), owner.path("graph") + "[" + i + "]");
            if (node != null) {
                nodes.add(node);
            }
        }
        return nodes.size() == json.size() ? new Graph(nodes) : null;
    }

    private Node node(JsonNode json, String path) {
        if (json == null || !json.isObject()) {
            errors.add(new FieldError(path, "must be a node object with \"name\" and \"op\""));
            return null;
        }
        JsonFields f = new JsonFields(json, path, errors);
        f.rejectUnknown("a graph node", List.of("name", "op", "target", "args", "kwargs", "default"));
        JsonNode n = json.get("name");
        if (n == null || !n.isString() || n.stringValue().isEmpty()) {
            f.error("name", "is required: a non-empty string");
        }
        JsonNode o = json.get("op");
        Node.Op op = o != null && o.isString() ? Node.Op.of(o.stringValue()) : null;
        if (op == null) {
            f.error("op", "unknown op " + (o == null ? "(none)" : JsonFields.describe(o))
                    + "; known: placeholder, call_module, call_function, call_method, get_attr, output");
        }
        JsonNode t = json.get("target");
        String target = null;
        if (t != null && !t.isString()) {
            f.error("target", "must be a string, got " + JsonFields.describe(t));
        } else if (t != null) {
            target = t.stringValue();
        } else if (op != null && op != Node.Op.PLACEHOLDER && op != Node.Op.OUTPUT) {
            f.error("target", "is required for " + op.apiName());
        }
        if (op == Node.Op.PLACEHOLDER && target == null && n != null && n.isString()) {
            target = n.stringValue();
        }
        List<Arg> args = new ArrayList<>();
        JsonNode a = json.get("args");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) {
                f.error("args", "must be a list");
            } else {
                for (int i = 0; i < a.size(); i++) args.add(arg(a.get(i), f.path("args") + "[" + i + "]", 0));
            }
        }
        Map<String, Arg> kwargs = new LinkedHashMap<>();
        JsonNode k = json.get("kwargs");
        if (k != null && !k.isNull()) {
            if (!k.isObject()) {
                f.error("kwargs", "must be an object");
            } else {
                k.properties().forEach(e -> kwargs.put(e.getKey(), arg(e.getValue(), f.path("kwargs") + "." + e.getKey(), 0)));
            }
        }
        Arg defaultValue = null;
        if (json.has("default")) {
            if (op != Node.Op.PLACEHOLDER) {
                f.error("default", "only a placeholder has a default");
            }
            defaultValue = arg(json.get("default"), f.path("default"), 0);
        }
        if (op == null || n == null || !n.isString() || target == null && op != Node.Op.OUTPUT
                || args.contains(null) || kwargs.containsValue(null) || json.has("default") && defaultValue == null) {
            return null;
        }
        return new Node(n.stringValue(), op, target == null ? "" : target, args, kwargs, defaultValue);
    }

    /** One argument in its JSON form; null (with the error recorded) when malformed. */
    private Arg arg(JsonNode json, String path, int nesting) {
        if (nesting > MAX_ARG_NESTING) {
            errors.add(new FieldError(path, "arguments nest at most " + MAX_ARG_NESTING + " deep"));
            return null;
        }
        if (json.isNull()) return new Arg.Constant(null);
        if (json.isBoolean()) return new Arg.Constant(json.booleanValue());
        if (json.isString()) return new Arg.Constant(json.stringValue());
        if (json.isIntegralNumber()) {
            if (!json.canConvertToLong()) {
                errors.add(new FieldError(path, "an int argument must fit in 64 bits, got " + JsonFields.describe(json)));
                return null;
            }
            return new Arg.Constant(json.longValue());
        }
        if (json.isNumber()) return new Arg.Constant(json.doubleValue());
        if (json.isArray()) {
            List<Arg> items = new ArrayList<>();
            for (int i = 0; i < json.size(); i++) items.add(arg(json.get(i), path + "[" + i + "]", nesting + 1));
            return items.contains(null) ? null : new Arg.Tuple(items);
        }
        if (json.isObject() && json.size() == 1) {
            String key = json.propertyNames().iterator().next();
            JsonNode v = json.get(key);
            switch (key) {
                case "node" -> {
                    if (v.isString()) return new Arg.NodeRef(v.stringValue());
                }
                case "slice" -> {
                    if (v.isArray() && v.size() == 3) {
                        Arg start = arg(v.get(0), path + ".slice[0]", nesting + 1);
                        Arg stop = arg(v.get(1), path + ".slice[1]", nesting + 1);
                        Arg step = arg(v.get(2), path + ".slice[2]", nesting + 1);
                        return start == null || stop == null || step == null ? null : new Arg.Slice(start, stop, step);
                    }
                }
                case "ellipsis" -> {
                    if (v.isBoolean() && v.booleanValue()) return new Arg.Ellipsis();
                }
                case "float" -> {
                    if (v.isString()) {
                        switch (v.stringValue()) {
                            case "inf": return new Arg.Constant(Double.POSITIVE_INFINITY);
                            case "-inf": return new Arg.Constant(Double.NEGATIVE_INFINITY);
                            case "nan": return new Arg.Constant(Double.NaN);
                            default: break;
                        }
                    }
                }
                case "training" -> {
                    if (v.isBoolean() && v.booleanValue()) return new Arg.Training();
                }
                default -> {
                }
            }
        }
        errors.add(new FieldError(path, "must be a number, bool, null, string, list, {\"node\": NAME}, {\"slice\": [start, stop, step]}, "
                + "{\"ellipsis\": true}, {\"float\": \"inf\" | \"-inf\" | \"nan\"} or {\"training\": true}; got " + JsonFields.describe(json)));
        return null;
    }
}
