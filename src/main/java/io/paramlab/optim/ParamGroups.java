package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The spec's {@code param_groups} as {@code add_param_group} builds them: each takes parameter
 * names (any alias) or a module path, its overrides come first in its dict and the defaults fill
 * the rest; a parameter in two groups is refused with PyTorch's message.
 */
final class ParamGroups {
    private ParamGroups() {
    }

    static List<ParamGroup> build(Object spec, Module model, OptimizerKind kind, LinkedHashMap<String, Object> defaults) {
        Map<Tensor, String> names = OptimizerSetup.canonicalNames(model);
        List<ParamGroup> groups = new ArrayList<>();
        if (spec == null) {
            List<Tensor> params = new ArrayList<>(model.namedParameters().values());
            if (params.isEmpty()) {
                throw new OptimizerException("", "optimizer got an empty parameter list");
            }
            groups.add(group(params, names, new LinkedHashMap<>(), kind, defaults, ""));
            return groups;
        }
        List<?> list = Values.list(spec, "param_groups");
        if (list.isEmpty()) {
            throw new OptimizerException("param_groups", "optimizer got an empty parameter list");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < list.size(); i++) {
            String prefix = "param_groups[" + i + "]";
            Map<String, Object> g = Values.map(list.get(i), prefix);
            Set<String> known = new LinkedHashSet<>(List.of("params", "module"));
            known.addAll(kind.settable());
            Values.rejectUnknown(g, known, prefix, "a parameter group");
            List<Tensor> params = params(g, model, prefix);
            LinkedHashMap<String, Object> overrides = new LinkedHashMap<>();
            g.forEach((key, value) -> {
                if (!key.equals("params") && !key.equals("module")) {
                    overrides.put(key, kind.option(key, value, Values.field(prefix, key)));
                }
            });
            ParamGroup group = group(params, names, overrides, kind, defaults, prefix);
            for (Tensor p : params) {
                if (!seen.add(p)) {
                    throw new OptimizerException(prefix, "some parameters appear in more than one parameter group");
                }
            }
            groups.add(group);
        }
        return groups;
    }

    /** A group's dict: its own keys in their order, then {@code setdefault} of every default. */
    private static ParamGroup group(List<Tensor> params, Map<Tensor, String> names, LinkedHashMap<String, Object> options,
                                    OptimizerKind kind, LinkedHashMap<String, Object> defaults, String prefix) {
        defaults.forEach((key, value) -> {
            if (value == OptimizerKind.REQUIRED && !options.containsKey(key)) {
                throw new OptimizerException(Values.field(prefix, key),
                        "parameter group didn't specify a value of required optimization parameter " + key);
            }
            options.putIfAbsent(key, value);
        });
        kind.validate(options, prefix);
        List<String> groupNames = new ArrayList<>();
        params.forEach(p -> groupNames.add(names.get(p)));
        return new ParamGroup(params, groupNames, options);
    }

    private static List<Tensor> params(Map<String, Object> g, Module model, String prefix) {
        boolean byNames = g.get("params") != null;
        boolean byModule = g.get("module") != null;
        if (byNames == byModule) {
            throw new OptimizerException(prefix, byNames ? "takes 'params' or 'module', not both"
                    : "needs 'params' (parameter names) or 'module' (a module path)");
        }
        if (byModule) {
            String path = Values.string(g.get("module"), prefix + ".module");
            Module module = model.submodule(path);
            if (module == null) {
                throw OptimizerException.unknownName(prefix + ".module", "no module named '" + path + "'");
            }
            return new ArrayList<>(module.namedParameters().values());
        }
        Map<String, Tensor> all = model.allParameterNames();
        List<?> requested = Values.list(g.get("params"), prefix + ".params");
        List<Tensor> params = new ArrayList<>();
        Map<Tensor, String> inGroup = new IdentityHashMap<>();
        for (int j = 0; j < requested.size(); j++) {
            String field = prefix + ".params[" + j + "]";
            String name = Values.string(requested.get(j), field);
            Tensor p = all.get(name);
            if (p == null) {
                throw OptimizerException.unknownName(field, "no parameter named '" + name + "'");
            }
            String earlier = inGroup.putIfAbsent(p, name);
            if (earlier != null) {
                // PyTorch 1.13 warns that this "will cause an error" and would then step the parameter twice
                throw new OptimizerException(field, "optimizer contains a parameter group with duplicate parameters ('"
                        + earlier + "' and '" + name + "' are one parameter)");
            }
            params.add(p);
        }
        return params;
    }
}
