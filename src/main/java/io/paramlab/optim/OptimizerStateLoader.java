package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code Optimizer.load_state_dict} of 1.13: the group count and sizes checked with PyTorch's
 * messages, saved indices mapped in order onto the optimizer's parameters, the saved groups'
 * options replacing the current ones ({@code __setstate__}'s defaults filled in). Stricter than
 * PyTorch where it would fail later: unknown keys, wrong types, state for no parameter and
 * shapes that differ from the parameter's are refused here, before anything changes.
 */
final class OptimizerStateLoader {
    private final Optimizer optimizer;

    OptimizerStateLoader(Optimizer optimizer) {
        this.optimizer = optimizer;
    }

    void load(Map<String, ?> stateDict) {
        Values.rejectUnknown(stateDict, List.of("state", "param_groups"), "", "an optimizer state dict");
        for (String key : List.of("state", "param_groups")) {
            if (!stateDict.containsKey(key)) {
                throw new OptimizerException(key, "is required");
            }
        }
        List<ParamGroup> groups = optimizer.paramGroups();
        List<?> saved = Values.list(stateDict.get("param_groups"), "param_groups");
        if (groups.size() != saved.size()) {
            throw new OptimizerException("param_groups", "loaded state dict has a different number of parameter groups");
        }
        List<Map<String, Object>> savedGroups = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            savedGroups.add(Values.map(saved.get(i), "param_groups[" + i + "]"));
        }
        List<List<Long>> savedIds = new ArrayList<>();
        for (int i = 0; i < savedGroups.size(); i++) {
            savedIds.add(ids(savedGroups.get(i).get("params"), "param_groups[" + i + "].params"));
        }
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).params().size() != savedIds.get(i).size()) {
                throw new OptimizerException("param_groups[" + i + "].params",
                        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
            }
        }
        Map<Long, Tensor> idMap = new LinkedHashMap<>();
        Map<Tensor, ParamGroup> groupOf = new IdentityHashMap<>();
        List<LinkedHashMap<String, Object>> newOptions = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            LinkedHashMap<String, Object> options = options(savedGroups.get(i), "param_groups[" + i + "]");
            newOptions.add(options);
            ParamGroup loaded = new ParamGroup(groups.get(i).params(), groups.get(i).names(), options);
            for (int j = 0; j < savedIds.get(i).size(); j++) {
                Tensor p = groups.get(i).params().get(j);
                idMap.put(savedIds.get(i).get(j), p);
                groupOf.put(p, loaded);
            }
        }
        LinkedHashMap<Tensor, ParamState> state = new LinkedHashMap<>();
        Object savedState = stateDict.get("state");
        if (!(savedState instanceof Map<?, ?> entries)) {
            throw new OptimizerException("state", "must be an object of parameter indices");
        }
        for (Map.Entry<?, ?> entry : entries.entrySet()) {
            String field = "state." + entry.getKey();
            Tensor p = idMap.get(index(entry.getKey(), field));
            if (p == null) {
                throw new OptimizerException(field, "is the state of no parameter of the loaded param_groups");
            }
            state.put(p, optimizer.unpack(Values.map(entry.getValue(), field), p, groupOf.get(p), field));
        }
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).replaceOptions(newOptions.get(i));
        }
        optimizer.replaceState(state);
    }

    /** A saved group's options: its keys in its order, checked and normalized, then __setstate__'s defaults. */
    private LinkedHashMap<String, Object> options(Map<String, Object> saved, String prefix) {
        OptimizerKind kind = optimizer.kind();
        LinkedHashMap<String, Object> defaults = kind.defaults();
        Set<String> known = new LinkedHashSet<>(defaults.keySet());
        known.add("initial_lr");
        known.add("params");
        Values.rejectUnknown(saved, known, prefix, "a " + kind.typeName() + " parameter group");
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        saved.forEach((key, value) -> {
            if (!key.equals("params")) {
                String field = Values.field(prefix, key);
                out.put(key, key.equals("initial_lr") ? Values.number(value, field) : kind.option(key, value, field));
            }
        });
        for (String key : optimizer.setStateDefaults()) {
            out.putIfAbsent(key, defaults.get(key));
        }
        for (String key : defaults.keySet()) {
            if (!out.containsKey(key)) {
                throw new OptimizerException(Values.field(prefix, key), "is required");
            }
        }
        kind.validate(out, prefix);
        return out;
    }

    private static List<Long> ids(Object value, String field) {
        if (value == null) {
            throw new OptimizerException(field, "is required");
        }
        List<?> list = Values.list(value, field);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Values.integer(list.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    /** A state key: an int, or its decimal string as JSON objects carry it. */
    private static long index(Object key, String field) {
        if (key instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new OptimizerException(field, "must be a parameter index");
            }
        }
        return Values.integer(key, field);
    }
}
