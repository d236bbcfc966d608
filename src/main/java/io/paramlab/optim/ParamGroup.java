package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of {@code optimizer.param_groups}: its parameters (with their {@code named_parameters}
 * names, for describing) and its options in the key order PyTorch's dict has them: the
 * group's own overrides first, then the optimizer's defaults, then {@code initial_lr} once a
 * scheduler has set it.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final List<String> names;
    private LinkedHashMap<String, Object> options;

    ParamGroup(List<Tensor> params, List<String> names, LinkedHashMap<String, Object> options) {
        this.params = List.copyOf(params);
        this.names = List.copyOf(names);
        this.options = options;
    }

    public List<Tensor> params() {
        return params;
    }

    public List<String> names() {
        return names;
    }

    /** The options without {@code params}, read-only; values are Long, Double, Boolean, a List of betas, or null. */
    public Map<String, Object> options() {
        return Collections.unmodifiableMap(options);
    }

    public Number lr() {
        return (Number) options.get("lr");
    }

    double number(String key) {
        return ((Number) options.get(key)).doubleValue();
    }

    boolean flag(String key) {
        return (Boolean) options.get(key);
    }

    /** {@code betas[index]}. */
    double beta(int index) {
        return ((Number) ((List<?>) options.get("betas")).get(index)).doubleValue();
    }

    void setLr(Number lr) {
        options.put("lr", lr);
    }

    void setDefault(String key, Object value) {
        options.putIfAbsent(key, value);
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    Object get(String key) {
        return options.get(key);
    }

    /** load_state_dict: the saved group's options replace these, as PyTorch swaps in the saved dict. */
    void replaceOptions(LinkedHashMap<String, Object> saved) {
        this.options = saved;
    }
}
