package io.paramlab.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code module.load_state_dict(state, strict)}: every key and shape is checked before any value is
 * copied. Lazy layers take their shapes first (PyTorch's lazy load hook), which the caller's
 * transaction undoes if the load is then refused.
 */
public final class StateDictLoader {
    private StateDictLoader() {
    }

    /** The keys of the answer: {@code missing_keys} and {@code unexpected_keys}. */
    public record Result(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /**
     * @param versions the dict's {@code _metadata} versions by module path, or null when it has no
     *                 {@code _metadata} (JSON, safetensors, a plain dict): then every module loads as from version None
     */
    public static Result load(Module module, Map<String, TensorData> given, boolean strict, Map<String, Integer> versions) {
        Map<String, TensorData> state = upgraded(module, given, versions);
        List<String> lazyErrors = new ArrayList<>();
        module.allModulePaths().forEach((path, m) -> {
            String lazyError = m.materializeForLoad(path.isEmpty() ? "" : path + ".", state);
            if (lazyError != null) {
                lazyErrors.add(lazyError);
            }
        });
        Map<String, TensorData> own = module.stateDict();
        Result result = refuseUnfit(module, own, state, lazyErrors, strict);
        own.forEach((key, target) -> {
            TensorData source = state.get(key);
            if (source != null) {
                target.copyFrom(source);
            }
        });
        return result;
    }

    /**
     * Refuses, changing nothing, what {@link #load} would refuse, with the same message; a module with
     * a lazy parameter still to be shaped by the load is left to it. Lets a caller refuse a load
     * before it saves the model's values for a rollback (a copy as large as the model).
     */
    public static void check(Module module, Map<String, TensorData> given, boolean strict, Map<String, Integer> versions) {
        Map<String, TensorData> own = module.stateDict();
        if (own.values().stream().anyMatch(t -> t.shape() == null)) {
            return;
        }
        refuseUnfit(module, own, upgraded(module, given, versions), new ArrayList<>(), strict);
    }

    /**
     * {@code given} as each module's {@code _load_from_state_dict} sees it: upgraded from its {@code _metadata}
     * version (a module's upgrade touches only its own keys, so the order of the modules does not matter).
     */
    private static Map<String, TensorData> upgraded(Module module, Map<String, TensorData> given, Map<String, Integer> versions) {
        Map<String, TensorData> state = new LinkedHashMap<>(given);
        module.allModulePaths().forEach((path, m) ->
                m.upgradeStateDict(path.isEmpty() ? "" : path + ".", versions == null ? null : versions.get(path), state));
        return state;
    }

    private static Result refuseUnfit(Module module, Map<String, TensorData> own, Map<String, TensorData> state, List<String> errors,
                                      boolean strict) {
        List<String> missing = own.keySet().stream().filter(k -> !state.containsKey(k)).toList();
        List<String> unexpected = state.keySet().stream().filter(k -> !own.containsKey(k)).toList();
        List<LoadStateDictException.SizeMismatch> mismatches = new ArrayList<>();
        boolean lazyRefused = !errors.isEmpty();
        own.forEach((key, target) -> {
            TensorData source = state.get(key);
            if (source != null && !target.sameShape(source)) {
                mismatches.add(new LoadStateDictException.SizeMismatch(key, target.shape(), source.shape()));
                if (target.shape() != null) {
                    errors.add("size mismatch for " + key + ": copying a param with shape " + TensorData.torchSize(source.shape())
                            + " from checkpoint, the shape in current model is " + TensorData.torchSize(target.shape()) + ".");
                } else if (!lazyRefused) {
                    // PyTorch skips the shape check of a parameter still lazy (it has no shape to print: <UninitializedParameter>)
                    errors.add("size mismatch for " + key + ": copying a param with shape " + TensorData.torchSize(source.shape())
                            + " from checkpoint, the parameter in current model is <UninitializedParameter>.");
                }
            }
        });
        if (!errors.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new LoadStateDictException(message(module, missing, unexpected, errors, strict), missing, unexpected, mismatches);
        }
        return new Result(missing, unexpected);
    }

    private static String message(Module module, List<String> missing, List<String> unexpected, List<String> errors, boolean strict) {
        StringBuilder out = new StringBuilder("Error(s) in loading state_dict for " + module.typeName() + ":");
        if (strict && !missing.isEmpty()) {
            out.append("\n\tMissing key(s) in state_dict: ").append(quoted(missing)).append(". ");
        }
        if (strict && !unexpected.isEmpty()) {
            out.append("\n\tUnexpected key(s) in state_dict: ").append(quoted(unexpected)).append(". ");
        }
        errors.forEach(e -> out.append("\n\t").append(e));
        return out.toString();
    }

    private static String quoted(List<String> keys) {
        return String.join(", ", keys.stream().map(k -> "\"" + k + "\"").toList());
    }
}
