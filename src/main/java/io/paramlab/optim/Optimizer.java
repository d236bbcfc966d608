package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.Optimizer: parameter groups, per-parameter state in the order PyTorch's dict
 * gains it (first step that touches a parameter, or the loaded dict's order), {@code step},
 * {@code zero_grad} and the state dict. The state map is keyed by the parameter's identity:
 * {@link Tensor} keeps Object's equals, so a tied parameter is one key.
 */
public abstract sealed class Optimizer permits SGD, Adam, AdamW {
    private final List<ParamGroup> paramGroups;
    final LinkedHashMap<Tensor, ParamState> state = new LinkedHashMap<>();
    private long stepCount;

    Optimizer(List<ParamGroup> paramGroups) {
        this.paramGroups = List.copyOf(paramGroups);
    }

    public abstract OptimizerKind kind();

    public List<ParamGroup> paramGroups() {
        return paramGroups;
    }

    /** How many times {@link #step()} has run (PyTorch's {@code optimizer._step_count}). */
    public long stepCount() {
        return stepCount;
    }

    /**
     * Sets the step count kept beside the state dict (PyTorch's {@code state_dict()} has no
     * {@code _step_count}): the store's record of the optimizer brings it back after a restart.
     */
    public void restoreStepCount(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("a step count is at least 0, got " + count);
        }
        stepCount = count;
    }

    /** {@code optimizer.step()}: each group with its own options; a parameter whose grad is null is skipped. */
    public final void step() {
        for (ParamGroup group : paramGroups) {
            for (Tensor p : group.params()) {
                if (p.grad() != null) {
                    update(p, p.grad(), group);
                }
            }
        }
        stepCount++;
    }

    /** The single-tensor update of one parameter with its gradient, creating its state at first use. */
    abstract void update(Tensor param, float[] grad, ParamGroup group);

    /** {@code zero_grad(set_to_none=False)}, 1.13's default: existing grads become zeros, null stays null. */
    public void zeroGrad() {
        for (ParamGroup group : paramGroups) {
            group.params().forEach(Tensor::zeroGrad);
        }
    }

    /**
     * {@code optimizer.state_dict()}: {@code {"state": {index: {...}}, "param_groups": [{...,
     * "params": [index, ...]}]}} as plain values (Long indices, TensorData copies), indices given
     * in group order as PyTorch's {@code pack_group} gives them.
     */
    public Map<String, Object> stateDict() {
        Map<Tensor, Long> index = new IdentityHashMap<>();
        long start = 0;
        List<Object> groups = new ArrayList<>();
        for (ParamGroup group : paramGroups) {
            LinkedHashMap<String, Object> packed = new LinkedHashMap<>(group.options());
            List<Object> ids = new ArrayList<>();
            for (int i = 0; i < group.params().size(); i++) {
                index.putIfAbsent(group.params().get(i), start + i);
                ids.add(index.get(group.params().get(i)));
            }
            packed.put("params", ids);
            start += ids.size();
            groups.add(packed);
        }
        LinkedHashMap<Object, Object> packedState = new LinkedHashMap<>();
        state.forEach((p, s) -> packedState.put(index.get(p), s.pack()));
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("state", packedState);
        out.put("param_groups", groups);
        return out;
    }

    /** {@code optimizer.load_state_dict(sd)}: PyTorch's checks and messages; everything is read before anything changes. */
    public void loadStateDict(Map<String, ?> stateDict) {
        new OptimizerStateLoader(this).load(stateDict);
    }

    /** Reads one parameter's saved state, checked against the parameter and its group. */
    abstract ParamState unpack(Map<String, Object> saved, Tensor param, ParamGroup savedGroup, String field);

    /** The keys PyTorch's {@code __setstate__} fills with a default when a loaded group lacks them. */
    abstract List<String> setStateDefaults();

    /**
     * Saves a deep copy of everything {@link #step()} and {@link #loadStateDict} may change (the
     * per-parameter state, each group's options, the step count); running the result puts it back.
     */
    Runnable snapshot() {
        LinkedHashMap<Tensor, ParamState> savedState = new LinkedHashMap<>();
        state.forEach((p, s) -> savedState.put(p, s.copy()));
        List<LinkedHashMap<String, Object>> savedOptions = new ArrayList<>();
        paramGroups.forEach(g -> savedOptions.add(new LinkedHashMap<>(g.options())));   // values are immutable
        long savedStepCount = stepCount;
        return () -> {
            replaceState(savedState);
            for (int i = 0; i < paramGroups.size(); i++) {
                paramGroups.get(i).replaceOptions(savedOptions.get(i));
            }
            stepCount = savedStepCount;
        };
    }

    /** Elements of every state array: what the optimizer adds to the model's memory. */
    public long stateElements() {
        long elements = 0;
        for (ParamState s : state.values()) {
            elements += s.elements();
        }
        return elements;
    }

    void replaceState(Map<Tensor, ParamState> loaded) {
        state.clear();
        state.putAll(loaded);
    }
}
