package io.paramlab.spec;

import io.paramlab.init.Expression;
import io.paramlab.init.ExpressionSyntaxException;
import io.paramlab.init.InitPolicy;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads an init request, with PyTorch's defaults for each nn.init policy, naming every field at fault. */
public final class InitSpecParser {
    static final List<String> POLICIES = List.of("zeros", "ones", "constant", "uniform", "normal", "xavier_uniform",
            "xavier_normal", "kaiming_uniform", "kaiming_normal", "trunc_normal", "orthogonal", "eye", "default", "custom");
    static final List<String> NONLINEARITIES = List.of("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
            "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu");
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
        List<InitSpec.Rule> rules = new ArrayList<>();
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

    private InitSpec.Rule rule(JsonNode json, String path) {
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
                    if (!t.isString() || !SpecParser.TYPES.contains(t.stringValue())) {
                        errors.add(new FieldError(fields.path("layer_types") + "[" + i + "]", "unknown layer type "
                                + JsonFields.describe(t) + "; known: " + String.join(", ", SpecParser.TYPES)));
                    } else {
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
        return new InitSpec.Rule(module, layerTypes, params);
    }

    private InitPolicy policy(JsonNode json, String path, int nesting) {
        if (json == null || !json.isObject() || !json.has("type") || !json.get("type").isString()) {
            errors.add(new FieldError(path, "must be a policy object with a \"type\": one of " + String.join(", ", POLICIES)));
            return null;
        }
        JsonFields f = new JsonFields(json, path, errors);
        String type = json.get("type").stringValue();
        return switch (type) {
            case "zeros" -> known(f, type, new InitPolicy.Zeros());
            case "ones" -> known(f, type, new InitPolicy.Ones());
            case "eye" -> known(f, type, new InitPolicy.Eye());
            case "default" -> known(f, type, new InitPolicy.Default());
            case "constant" -> {
                f.rejectUnknown(type, List.of("type", "value"));
                if (!f.has("value")) {
                    f.error("value", "is required");
                }
                yield new InitPolicy.Constant(f.optionalNumber("value", 0));
            }
            case "uniform" -> {
                f.rejectUnknown(type, List.of("type", "a", "b"));
                yield new InitPolicy.Uniform(f.optionalNumber("a", 0), f.optionalNumber("b", 1));
            }
            case "normal" -> {
                f.rejectUnknown(type, List.of("type", "mean", "std"));
                yield new InitPolicy.Normal(f.optionalNumber("mean", 0), f.optionalNumber("std", 1));
            }
            case "xavier_uniform" -> {
                f.rejectUnknown(type, List.of("type", "gain"));
                yield new InitPolicy.XavierUniform(f.optionalNumber("gain", 1));
            }
            case "xavier_normal" -> {
                f.rejectUnknown(type, List.of("type", "gain"));
                yield new InitPolicy.XavierNormal(f.optionalNumber("gain", 1));
            }
            case "orthogonal" -> {
                f.rejectUnknown(type, List.of("type", "gain"));
                yield new InitPolicy.Orthogonal(f.optionalNumber("gain", 1));
            }
            case "kaiming_uniform", "kaiming_normal" -> {
                f.rejectUnknown(type, List.of("type", "a", "mode", "nonlinearity"));
                double a = f.optionalNumber("a", 0);
                String mode = f.optionalString("mode", "fan_in", List.of("fan_in", "fan_out"));
                String nonlinearity = f.optionalString("nonlinearity", "leaky_relu", NONLINEARITIES);
                yield type.equals("kaiming_uniform") ? new InitPolicy.KaimingUniform(a, mode, nonlinearity)
                        : new InitPolicy.KaimingNormal(a, mode, nonlinearity);
            }
            case "trunc_normal" -> {
                f.rejectUnknown(type, List.of("type", "mean", "std", "a", "b"));
                yield new InitPolicy.TruncNormal(f.optionalNumber("mean", 0), f.optionalNumber("std", 1),
                        f.optionalNumber("a", -2), f.optionalNumber("b", 2));
            }
            case "custom" -> custom(f, json, path, nesting);
            default -> {
                f.error("type", "unknown policy \"" + type + "\"; known: " + String.join(", ", POLICIES));
                yield null;
            }
        };
    }

    private InitPolicy known(JsonFields f, String type, InitPolicy policy) {
        f.rejectUnknown(type, List.of("type"));
        return policy;
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
