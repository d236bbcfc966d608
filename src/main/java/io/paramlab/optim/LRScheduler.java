package io.paramlab.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.lr_scheduler._LRScheduler of 1.13, its recursive ({@code get_lr}) form in double
 * precision: construction sets {@code initial_lr} in every group, takes {@code base_lrs} from
 * it and makes the initial step (last_epoch -1 to 0); each {@link #step()} writes the new lr
 * into the groups. Lrs stay {@link Number}s so an int lr is echoed as PyTorch echoes it.
 */
public abstract sealed class LRScheduler permits StepLR, ExponentialLR, CosineAnnealingLR {
    final Optimizer optimizer;
    List<Number> baseLrs;
    long lastEpoch = -1;
    long stepCount;
    List<Number> lastLr;

    LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        for (ParamGroup group : optimizer.paramGroups()) {
            group.setDefault("initial_lr", group.lr());
        }
        baseLrs = new ArrayList<>();
        for (ParamGroup group : optimizer.paramGroups()) {
            baseLrs.add((Number) group.get("initial_lr"));
        }
    }

    /** {@code _initial_step()}; each subclass calls it last in its constructor, once its own fields are set. */
    final void initialStep() {
        stepCount = 0;
        step();
    }

    public abstract String type();

    /** The constructor's own arguments in its order ({@code step_size}, {@code gamma}, ...). */
    abstract LinkedHashMap<String, Object> options();

    /** The chainable {@code get_lr()}: the new lr of each group from its current lr. */
    abstract List<Number> lrs();

    /** {@code scheduler.step()}. */
    public final void step() {
        stepCount++;
        lastEpoch++;
        List<Number> values = lrs();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(values.get(i));
        }
        lastLr = List.copyOf(values);
    }

    public long lastEpoch() {
        return lastEpoch;
    }

    public List<Number> baseLrs() {
        return List.copyOf(baseLrs);
    }

    /** {@code get_last_lr()}. */
    public List<Number> lastLr() {
        return lastLr;
    }

    List<Number> currentLrs() {
        List<Number> out = new ArrayList<>();
        optimizer.paramGroups().forEach(g -> out.add(g.lr()));
        return out;
    }

    /** {@code scheduler.state_dict()}: its {@code __dict__} without the optimizer, in PyTorch's order. */
    public Map<String, Object> stateDict() {
        LinkedHashMap<String, Object> out = options();
        out.put("base_lrs", List.copyOf(baseLrs));
        out.put("last_epoch", lastEpoch);
        out.put("verbose", false);
        out.put("_step_count", stepCount);
        out.put("_get_lr_called_within_step", false);
        out.put("_last_lr", List.copyOf(lastLr));
        return out;
    }

    /**
     * {@code scheduler.load_state_dict()}: PyTorch updates its {@code __dict__}; here exactly the
     * keys it writes are accepted, checked, and the groups' lrs are left alone as PyTorch leaves them.
     */
    public void loadStateDict(Map<String, ?> state) {
        Map<String, Object> mine = stateDict();
        Values.rejectUnknown(state, mine.keySet(), "", "a " + type() + " state dict");
        int groups = optimizer.paramGroups().size();
        LinkedHashMap<String, Object> options = new LinkedHashMap<>();
        for (String key : options().keySet()) {
            if (state.containsKey(key)) {
                options.put(key, Values.number(state.get(key), key));
            }
        }
        validate(options);
        List<Number> base = state.containsKey("base_lrs") ? lrList(state.get("base_lrs"), "base_lrs", groups) : baseLrs;
        List<Number> last = state.containsKey("_last_lr") ? lrList(state.get("_last_lr"), "_last_lr", groups) : lastLr;
        long epoch = state.containsKey("last_epoch") ? Values.integer(state.get("last_epoch"), "last_epoch") : lastEpoch;
        long count = state.containsKey("_step_count") ? Values.integer(state.get("_step_count"), "_step_count") : stepCount;
        for (String flag : List.of("verbose", "_get_lr_called_within_step")) {
            if (state.containsKey(flag)) {
                Values.bool(state.get(flag), flag);
            }
        }
        setOptions(options);
        baseLrs = new ArrayList<>(base);
        lastLr = List.copyOf(last);
        lastEpoch = epoch;
        stepCount = count;
    }

    /** Saves the scheduler's whole state (its options, base lrs, epoch, counts, last lrs); running the result puts it back. */
    Runnable snapshot() {
        LinkedHashMap<String, Object> options = options();
        List<Number> base = List.copyOf(baseLrs);
        long epoch = lastEpoch;
        long count = stepCount;
        List<Number> last = lastLr;
        return () -> {
            setOptions(options);
            baseLrs = new ArrayList<>(base);
            lastEpoch = epoch;
            stepCount = count;
            lastLr = last;
        };
    }

    /** Checks the constructor arguments given (a subset of {@link #options()}' keys), before any is set. */
    abstract void validate(Map<String, Object> options);

    abstract void setOptions(Map<String, Object> options);

    private static List<Number> lrList(Object value, String field, int groups) {
        List<?> list = Values.list(value, field);
        if (list.size() != groups) {
            throw new OptimizerException(field, "has " + list.size() + " values for " + groups + " parameter groups");
        }
        List<Number> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Values.number(list.get(i), field + "[" + i + "]"));
        }
        return out;
    }
}
