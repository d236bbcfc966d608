package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's optimizer and its optional scheduler, built from the spec of
 * {@code PUT /models/{id}/optimizer}: {@code {"type": "SGD", "lr": 0.1, "param_groups": [...],
 * "scheduler": {...}}}. Building reads the model's parameters but changes nothing, so a refused
 * spec leaves the model and any earlier optimizer as they were.
 */
public final class OptimizerSetup {
    private final Optimizer optimizer;
    private final LRScheduler scheduler;      // null without one
    private final LinkedHashMap<String, Object> options;
    private final Map<String, Object> spec;   // as given: with the state dicts, all a store needs to rebuild it

    private OptimizerSetup(Optimizer optimizer, LRScheduler scheduler, LinkedHashMap<String, Object> options,
                           Map<String, Object> spec) {
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.options = options;
        this.spec = spec;
    }

    /** The spec it was built from. */
    public Map<String, Object> spec() {
        return spec;
    }

    /** Parses and builds; an {@link OptimizerException} names the field at fault with PyTorch's message. */
    public static OptimizerSetup fromSpec(Map<String, ?> spec, Module model) {
        Map<String, Object> s = Values.map(spec, "");
        Object typeValue = s.get("type");
        String kinds = String.join(", ", List.of("SGD", "Adam", "AdamW"));
        if (typeValue == null) {
            throw new OptimizerException("type", "is required (one of " + kinds + ")");
        }
        String type = Values.string(typeValue, "type");
        OptimizerKind kind = OptimizerKind.byName(type)
                .orElseThrow(() -> new OptimizerException("type", "unknown optimizer '" + type + "' (one of " + kinds + ")"));
        List<String> settable = kind.settable();
        Set<String> known = new java.util.LinkedHashSet<>(List.of("type"));
        known.addAll(settable);
        known.addAll(List.of("param_groups", "scheduler"));
        Values.rejectUnknown(s, known, "", kind.typeName());

        LinkedHashMap<String, Object> defaults = kind.defaults();
        for (String key : settable) {
            if (s.containsKey(key)) {
                defaults.put(key, kind.option(key, s.get(key), key));
            }
        }
        LinkedHashMap<String, Object> checked = new LinkedHashMap<>(defaults);
        checked.replace("lr", OptimizerKind.REQUIRED, 0L);     // `lr is not required and lr < 0.0`
        kind.validate(checked, "");

        List<ParamGroup> groups = ParamGroups.build(s.get("param_groups"), model, kind, defaults);
        Optimizer optimizer = kind.create(groups);
        LRScheduler scheduler = s.get("scheduler") == null ? null
                : Schedulers.fromSpec(Values.map(s.get("scheduler"), "scheduler"), optimizer, "scheduler");
        LinkedHashMap<String, Object> options = new LinkedHashMap<>();
        settable.forEach(key -> options.put(key, defaults.get(key) == OptimizerKind.REQUIRED ? null : defaults.get(key)));
        return new OptimizerSetup(optimizer, scheduler, options, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(s)));
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The scheduler, or null when the spec had none. */
    public LRScheduler scheduler() {
        return scheduler;
    }

    public boolean hasScheduler() {
        return scheduler != null;
    }

    /** Each group's current lr, as {@code [g["lr"] for g in opt.param_groups]}. */
    public List<Number> lrs() {
        List<Number> out = new ArrayList<>();
        optimizer.paramGroups().forEach(g -> out.add(g.lr()));
        return out;
    }

    /**
     * The answer of {@code GET /models/{id}/optimizer}: {@code type}, the optimizer's options,
     * {@code param_groups} (names and current options, {@code initial_lr} once a scheduler set it),
     * {@code scheduler} (its options, {@code last_epoch}, {@code base_lrs}, {@code last_lr}) or null,
     * and {@code step_count}.
     */
    public Map<String, Object> describe() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("type", optimizer.kind().typeName());
        out.putAll(options);
        List<Object> groups = new ArrayList<>();
        for (ParamGroup group : optimizer.paramGroups()) {
            LinkedHashMap<String, Object> g = new LinkedHashMap<>();
            g.put("params", group.names());
            for (String key : options.keySet()) {
                g.put(key, group.get(key));
            }
            if (group.has("initial_lr")) {
                g.put("initial_lr", group.get("initial_lr"));
            }
            groups.add(g);
        }
        out.put("param_groups", groups);
        if (scheduler == null) {
            out.put("scheduler", null);
        } else {
            LinkedHashMap<String, Object> sched = new LinkedHashMap<>();
            sched.put("type", scheduler.type());
            sched.putAll(scheduler.options());
            sched.put("last_epoch", scheduler.lastEpoch());
            sched.put("base_lrs", scheduler.baseLrs());
            sched.put("last_lr", scheduler.lastLr());
            out.put("scheduler", sched);
        }
        out.put("step_count", optimizer.stepCount());
        return out;
    }

    /**
     * Saves a deep copy of the optimizer's and the scheduler's state (state arrays, group options
     * with their lrs, step counts, epochs); running the result puts them back exactly, so a
     * transaction can undo a failed step or a refused load.
     */
    public Runnable snapshot() {
        Runnable optimizerBack = optimizer.snapshot();
        Runnable schedulerBack = scheduler == null ? () -> { } : scheduler.snapshot();
        return () -> {
            optimizerBack.run();
            schedulerBack.run();
        };
    }

    /** The parameter names of the model, first name of each parameter (tied ones once), by identity. */
    static Map<Tensor, String> canonicalNames(Module model) {
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.namedParameters().forEach((name, p) -> names.putIfAbsent(p, name));
        return Collections.unmodifiableMap(names);
    }
}
