package io.paramlab.spec;

import io.paramlab.init.Expression;
import io.paramlab.init.ExpressionSyntaxException;
import io.paramlab.init.FanMode;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Nonlinearity;
import io.paramlab.nn.InitRule;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads an init request, with PyTorch's defaults for each nn.init policy, naming every field at fault. */
public final class InitSpecParser {
    /** Every nn.init policy by its API name, with its arguments and PyTorch's defaults: the one list of policies. */
    public static final Map<String, Function<Args, InitPolicy>> POLICIES = policies();
    private static final int MAX_CUSTOM_NESTING = 8;

    private final List<FieldError> errors = InvalidInputException.collector();

    private InitSpecParser() {
    }

    public static InitSpec parse(JsonNode body) {
        return new InitSpecParser().parseRoot(body);
    }

    private InitSpec parseRoot(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInputException("", "the body must be a JSON object with \"rules\"");
        }
        JsonFields fields = new JsonFields(body, "", errors);
        fields.rejectUnknown("an init request", List.of("seed", "rules"));
        Long seed = fields.optionalLong("seed");
        List<InitRule> rules = new ArrayList<>();
        JsonNode list = body.get("rules");
        if (list == null || !list.isArray()) {
            fields.error("rules", "is required: a list of rules");
        } else {
            for (int i = 0; i < list.size(); i++) {
                rules.add(rule(list.get(i), "rules[" + i + "]"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new InitSpec(seed, rules);
    }

    private InitRule rule(JsonNode json, String path) {
        if (json == null || !json.isObject()) {
            errors.add(new FieldError(path, "must be an object with \"params\""));
            return null;
        }
        JsonFields fields = new JsonFields(json, path, errors);
        fields.rejectUnknown("an init rule", List.of("module", "layer_types", "params"));
        String module = fields.optionalString("module", "", List.of());
        List<String> layerTypes = null;
        JsonNode types = json.get("layer_types");
        if (types != null && !types.isNull()) {
            layerTypes = new ArrayList<>();
            if (!types.isArray()) {
                fields.error("layer_types", "must be a list of layer types, e.g. [\"Linear\"]");
            } else {
                for (int i = 0; i < types.size(); i++) {
                    JsonNode t = types.get(i);
                    if (!t.isString() || !LAYER_TYPES.contains(t.stringValue())) {
                        errors.add(new FieldError(fields.path("layer_types") + "[" + i + "]", "unknown layer type "
                                + JsonFields.describe(t) + "; known: " + String.join(", ", LAYER_TYPES)));
                    } else if (!layerTypes.contains(t.stringValue())) {   // kept short: fn tests each module against it
                        layerTypes.add(t.stringValue());
                    }
                }
            }
        }
        Map<String, InitPolicy> params = new LinkedHashMap<>();
        JsonNode paramsNode = json.get("params");
        if (paramsNode == null || !paramsNode.isObject() || paramsNode.isEmpty()) {
            fields.error("params", "is required: an object from local parameter names to policies, e.g. {\"weight\": {\"type\": \"zeros\"}}");
        } else {
            for (Map.Entry<String, JsonNode> entry : paramsNode.properties()) {
                params.put(entry.getKey(), policy(entry.getValue(), fields.path("params") + "." + entry.getKey(), 0));
            }
        }
        return new InitRule(module, layerTypes, params);
    }

    /** The class names a rule can select: the spec's types and MultiheadAttention's out_proj class, which no spec names alone. */
    public static final List<String> LAYER_TYPES = java.util.stream.Stream.concat(SpecParser.TYPES.stream(),
            java.util.stream.Stream.of("NonDynamicallyQuantizableLinear")).toList();

    /** One policy, its errors added to {@code errors}: a Module node's own tensors take the policies of init requests. */
    static InitPolicy policy(JsonNode json, String path, List<FieldError> errors) {
        InitSpecParser parser = new InitSpecParser();
        InitPolicy policy = parser.policy(json, path, 0);
        errors.addAll(parser.errors);
        return policy;
    }

    private InitPolicy policy(JsonNode json, String path, int nesting) {
        if (json == null || !json.isObject() || !json.has("type") || !json.get("type").isString()) {
            errors.add(new FieldError(path, "must be a policy object with a \"type\": one of " + String.join(", ", POLICIES.keySet())));
            return null;
        }
        JsonFields f = new JsonFields(json, path, errors);
        String type = json.get("type").stringValue();
        if (type.equals("custom")) {
            return custom(f, json, path, nesting);
        }
        Function<Args, InitPolicy> parser = POLICIES.get(type);
        if (parser == null) {
            f.error("type", "unknown policy \"" + type + "\"; known: " + String.join(", ", POLICIES.keySet()));
            return null;
        }
        Args args = new Args(f, type);
        InitPolicy policy = parser.apply(args);
        args.rejectUnknown();
        return policy;
    }

    private static Map<String, Function<Args, InitPolicy>> policies() {
        Map<String, Function<Args, InitPolicy>> p = new LinkedHashMap<>();
        p.put("zeros", a -> new InitPolicy.Zeros());
        p.put("ones", a -> new InitPolicy.Ones());
        p.put("constant", a -> new InitPolicy.Constant(a.requiredNumber("value")));
        p.put("uniform", a -> new InitPolicy.Uniform(a.number("a", 0), a.number("b", 1)));
        p.put("normal", a -> new InitPolicy.Normal(a.number("mean", 0), a.number("std", 1)));
        p.put("xavier_uniform", a -> new InitPolicy.XavierUniform(a.number("gain", 1)));
        p.put("xavier_normal", a -> new InitPolicy.XavierNormal(a.number("gain", 1)));
        p.put("kaiming_uniform", a -> new InitPolicy.KaimingUniform(a.number("a", 0), fanMode(a), nonlinearity(a)));
        p.put("kaiming_normal", a -> new InitPolicy.KaimingNormal(a.number("a", 0), fanMode(a), nonlinearity(a)));
        p.put("trunc_normal", a -> new InitPolicy.TruncNormal(a.number("mean", 0), a.number("std", 1), a.number("a", -2), a.number("b", 2)));
        p.put("orthogonal", a -> new InitPolicy.Orthogonal(a.number("gain", 1)));
        p.put("eye", a -> new InitPolicy.Eye());
        p.put("default", a -> new InitPolicy.Default());
        p.put("custom", null);   // parsed by custom(): its base is a policy, its expr an expression
        return java.util.Collections.unmodifiableMap(p);
    }

    private static FanMode fanMode(Args a) {
        return FanMode.of(a.oneOf("mode", "fan_in", FanMode.apiNames()));
    }

    private static Nonlinearity nonlinearity(Args a) {
        return Nonlinearity.of(a.oneOf("nonlinearity", "leaky_relu", Nonlinearity.apiNames()));
    }

    private InitPolicy custom(JsonFields f, JsonNode json, String path, int nesting) {
        f.rejectUnknown("custom", List.of("type", "base", "expr"));
        if (nesting >= MAX_CUSTOM_NESTING) {
            f.error("base", "custom policies nest at most " + MAX_CUSTOM_NESTING + " deep");
            return null;
        }
        InitPolicy base = json.has("base") ? policy(json.get("base"), f.path("base"), nesting + 1) : null;
        if (!json.has("base")) {
            f.error("base", "is required: the policy drawn before the expression is applied");
        }
        JsonNode exprNode = json.get("expr");
        if (exprNode == null || !exprNode.isString()) {
            f.error("expr", "is required: an expression over w, e.g. \"w * (abs(w) >= 5)\"");
            return null;
        }
        try {
            return new InitPolicy.Custom(base, Expression.parse(exprNode.stringValue()));
        } catch (ExpressionSyntaxException e) {
            f.error("expr", e.getMessage());
            return null;
        }
    }
}
