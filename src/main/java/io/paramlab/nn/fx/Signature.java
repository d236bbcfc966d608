package io.paramlab.nn.fx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Python signature, written as Python writes it ({@code "input, dim=None, keepdim=False"},
 * {@code "self, *shape"}, {@code "input, *, inplace=False"}): the validator checks a node's
 * argument counts and keyword names against it, and the interpreter binds values with it, so
 * both read the same declaration.
 */
public record Signature(String name, List<Param> params) {

    /** One parameter; {@code defaultValue} is meaningful when not {@code required}; a varargs parameter collects a list. */
    public record Param(String name, boolean required, Object defaultValue, boolean varargs, boolean keywordOnly) {
    }

    public static Signature parse(String name, String text) {
        List<Param> params = new ArrayList<>();
        boolean keywordOnly = false;
        for (String raw : text.isBlank() ? new String[0] : text.split(",")) {
            String p = raw.strip();
            if (p.equals("*")) {
                keywordOnly = true;
            } else if (p.startsWith("*")) {
                params.add(new Param(p.substring(1), false, List.of(), true, false));
                keywordOnly = true;
            } else if (p.contains("=")) {
                String[] kv = p.split("=", 2);
                params.add(new Param(kv[0].strip(), false, constant(kv[1].strip()), false, keywordOnly));
            } else {
                params.add(new Param(p, true, null, false, keywordOnly));
            }
        }
        return new Signature(name, List.copyOf(params));
    }

    private static Object constant(String text) {
        return switch (text) {
            case "None" -> null;
            case "True" -> true;
            case "False" -> false;
            default -> {
                if (text.startsWith("'")) yield text.substring(1, text.length() - 1);
                if (text.matches("-?\\d+")) yield Long.parseLong(text);
                yield Double.parseDouble(text);
            }
        };
    }

    private int positionalCount() {
        int n = 0;
        for (Param p : params) {
            if (p.varargs || p.keywordOnly) break;
            n++;
        }
        return n;
    }

    private boolean hasVarargs() {
        return params.stream().anyMatch(Param::varargs);
    }

    /** Why {@code positional} arguments and these keywords do not fit, in Python's words, or null when they do. */
    public String check(int positional, Set<String> keywords) {
        int max = positionalCount();
        if (positional > max && !hasVarargs()) {
            return name + "() takes " + max + " positional argument" + (max == 1 ? "" : "s") + " but " + positional
                    + (positional == 1 ? " was" : " were") + " given";
        }
        for (String k : keywords) {
            int index = indexOf(k);
            if (index < 0 || params.get(index).varargs) {
                return name + "() got an unexpected keyword argument '" + k + "'";
            }
            if (index < Math.min(positional, max)) {
                return name + "() got multiple values for argument '" + k + "'";
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (p.required && !(i < positional && !p.keywordOnly) && !keywords.contains(p.name)) {
                missing.add("'" + p.name + "'");
            }
        }
        if (!missing.isEmpty()) {
            return name + "() missing " + missing.size() + " required positional argument" + (missing.size() == 1 ? "" : "s")
                    + ": " + String.join(" and ", missing);
        }
        return null;
    }

    private int indexOf(String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name.equals(name)) return i;
        }
        return -1;
    }

    /** The values by parameter, defaults filled in, varargs as a list; the node was checked at create. */
    public Object[] bind(List<Object> args, Map<String, Object> kwargs) {
        String problem = check(args.size(), kwargs.keySet());
        if (problem != null) {
            throw new io.paramlab.tensor.ShapeException(problem);
        }
        Object[] bound = new Object[params.size()];
        boolean[] set = new boolean[params.size()];
        int max = positionalCount();
        for (int i = 0; i < Math.min(args.size(), max); i++) {
            bound[i] = args.get(i);
            set[i] = true;
        }
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).varargs) {
                bound[i] = java.util.Collections.unmodifiableList(new ArrayList<>(args.subList(Math.min(max, args.size()), args.size())));
                set[i] = true;
            }
        }
        kwargs.forEach((k, v) -> {
            int index = indexOf(k);
            bound[index] = v;
            set[index] = true;
        });
        for (int i = 0; i < params.size(); i++) {
            if (!set[i]) bound[i] = params.get(i).defaultValue;
        }
        return bound;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(params.stream().map(Param::name).toArray());
    }
}
