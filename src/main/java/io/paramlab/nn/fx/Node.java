package io.paramlab.nn.fx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a graph as {@code torch.fx.Node} has it: {@code name}, {@code op}, {@code target},
 * {@code args}, {@code kwargs}; a placeholder may carry a {@code default} ({@code defaultValue}
 * non-null then) and its {@code target} is the forward's parameter name.
 */
public record Node(String name, Op op, String target, List<Arg> args, Map<String, Arg> kwargs, Arg defaultValue) {

    public enum Op {
        PLACEHOLDER, CALL_MODULE, CALL_FUNCTION, CALL_METHOD, GET_ATTR, OUTPUT;

        /** fx's spelling: {@code call_module}. */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Op of(String apiName) {
            for (Op op : values()) {
                if (op.apiName().equals(apiName)) return op;
            }
            return null;
        }
    }

    public Node {
        args = List.copyOf(args);
        kwargs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    }

    /** The JSON form of the spec echo: only what the node has, as torch_export writes it. */
    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("op", op.apiName());
        if (op != Op.OUTPUT && !(op == Op.PLACEHOLDER && target.equals(name))) {
            out.put("target", target);
        }
        if (!args.isEmpty()) {
            List<Object> a = new ArrayList<>();
            args.forEach(x -> a.add(x.json()));
            out.put("args", a);
        }
        if (!kwargs.isEmpty()) {
            out.put("kwargs", Arg.json(kwargs));
        }
        if (defaultValue != null) {
            out.put("default", defaultValue.json());
        }
        return out;
    }
}
