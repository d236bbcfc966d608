package io.paramlab.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The optimizers of torch.optim that we have, each with its constructor's defaults in the
 * order PyTorch's dict holds them, the options a spec may set, and its constructor's checks.
 */
public enum OptimizerKind {
    SGD("SGD") {
        @Override
        LinkedHashMap<String, Object> defaults() {
            LinkedHashMap<String, Object> d = new LinkedHashMap<>();
            d.put("lr", REQUIRED);
            d.put("momentum", 0L);
            d.put("dampening", 0L);
            d.put("weight_decay", 0L);
            d.put("nesterov", false);
            d.put("maximize", false);
            d.put("foreach", null);
            d.put("differentiable", false);
            return d;
        }

        @Override
        void validate(Map<String, Object> o, String prefix) {
            checkLr(o, prefix);
            if (num(o, "momentum") < 0.0) {
                throw invalid(prefix, "momentum", "Invalid momentum value: ", o);
            }
            checkWeightDecay(o, prefix);
            if ((Boolean) o.get("nesterov") && (num(o, "momentum") <= 0 || num(o, "dampening") != 0)) {
                throw new OptimizerException(Values.field(prefix, "nesterov"),
                        "Nesterov momentum requires a momentum and zero dampening");
            }
        }

        @Override
        Optimizer create(List<ParamGroup> groups) {
            return new SGD(groups);
        }
    },
    ADAM("Adam") {
        @Override
        LinkedHashMap<String, Object> defaults() {
            LinkedHashMap<String, Object> d = adamDefaults(0L);
            d.put("maximize", false);
            d.put("foreach", null);
            d.put("capturable", false);
            d.put("differentiable", false);
            d.put("fused", false);
            return d;
        }

        @Override
        Optimizer create(List<ParamGroup> groups) {
            return new Adam(groups);
        }
    },
    ADAMW("AdamW") {
        @Override
        LinkedHashMap<String, Object> defaults() {
            LinkedHashMap<String, Object> d = adamDefaults(1e-2);
            d.put("foreach", null);        // AdamW's own order in 1.13: foreach before maximize, no differentiable/fused
            d.put("maximize", false);
            d.put("capturable", false);
            return d;
        }

        @Override
        Optimizer create(List<ParamGroup> groups) {
            return new AdamW(groups);
        }
    };

    /** The marker of a default without a value, as torch.optim's {@code required} (SGD's lr). */
    static final Object REQUIRED = new Object() {
        @Override
        public String toString() {
            return "<required parameter>";
        }
    };

    private static final List<String> FLAGS = List.of("nesterov", "maximize", "amsgrad");
    /** Options that select code paths we do not have: only their PyTorch default is accepted. */
    private static final List<String> PATH_SWITCHES = List.of("foreach", "capturable", "differentiable", "fused");

    private final String typeName;

    OptimizerKind(String typeName) {
        this.typeName = typeName;
    }

    public String typeName() {
        return typeName;
    }

    public static Optional<OptimizerKind> byName(String name) {
        for (OptimizerKind kind : values()) {
            if (kind.typeName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The constructor's defaults, in PyTorch's dict order. */
    abstract LinkedHashMap<String, Object> defaults();

    abstract Optimizer create(List<ParamGroup> groups);

    /** The options a spec may set: the constructor's arguments without the code-path switches. */
    List<String> settable() {
        List<String> out = new ArrayList<>(defaults().keySet());
        out.removeAll(PATH_SWITCHES);
        return out;
    }

    /** The constructor's checks, PyTorch's messages; on every group, not only on the defaults. */
    void validate(Map<String, Object> o, String prefix) {
        checkLr(o, prefix);
        if (num(o, "eps") < 0.0) {
            throw invalid(prefix, "eps", "Invalid epsilon value: ", o);
        }
        List<?> betas = (List<?>) o.get("betas");
        for (int i = 0; i < 2; i++) {
            double beta = ((Number) betas.get(i)).doubleValue();
            if (!(0.0 <= beta && beta < 1.0)) {
                throw new OptimizerException(Values.field(prefix, "betas"),
                        "Invalid beta parameter at index " + i + ": " + Values.repr((Number) betas.get(i)));
            }
        }
        checkWeightDecay(o, prefix);
    }

    /** Checks one option's type and normalizes its value (Integer to Long, betas to a List of two numbers). */
    Object option(String key, Object value, String field) {
        if (FLAGS.contains(key)) {
            return Values.bool(value, field);
        }
        if (key.equals("betas")) {
            List<?> betas = Values.list(value, field);
            if (betas.size() != 2) {
                throw new OptimizerException(field, "must be a list of two numbers, not " + betas.size());
            }
            return List.of(Values.number(betas.get(0), field + "[0]"), Values.number(betas.get(1), field + "[1]"));
        }
        if (PATH_SWITCHES.contains(key)) {
            Object pytorchDefault = defaults().get(key);
            if (value != null && !value.equals(false) || value == null && pytorchDefault != null) {
                throw new OptimizerException(field, "only " + (pytorchDefault == null ? "null or false" : "false")
                        + " is supported: the single-tensor code path (foreach=False) is the one computed");
            }
            return value;
        }
        return Values.number(value, field);
    }

    private static LinkedHashMap<String, Object> adamDefaults(Number weightDecay) {
        LinkedHashMap<String, Object> d = new LinkedHashMap<>();
        d.put("lr", 1e-3);
        d.put("betas", List.of(0.9, 0.999));
        d.put("eps", 1e-8);
        d.put("weight_decay", weightDecay);
        d.put("amsgrad", false);
        return d;
    }

    private static void checkLr(Map<String, Object> o, String prefix) {
        if (num(o, "lr") < 0.0) {
            throw invalid(prefix, "lr", "Invalid learning rate: ", o);
        }
    }

    private static void checkWeightDecay(Map<String, Object> o, String prefix) {
        if (num(o, "weight_decay") < 0.0) {
            throw invalid(prefix, "weight_decay", "Invalid weight_decay value: ", o);
        }
    }

    private static double num(Map<String, Object> o, String key) {
        return ((Number) o.get(key)).doubleValue();
    }

    private static OptimizerException invalid(String prefix, String key, String message, Map<String, Object> o) {
        return new OptimizerException(Values.field(prefix, key), message + Values.repr((Number) o.get(key)));
    }
}
