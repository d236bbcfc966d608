package io.paramlab.optim;

import java.util.List;
import java.util.Map;

/** Builds a scheduler from its spec ({@code {"type": "StepLR", "step_size": 30}}), PyTorch's option names and defaults. */
final class Schedulers {
    static final List<String> TYPES = List.of("StepLR", "ExponentialLR", "CosineAnnealingLR");

    private Schedulers() {
    }

    static LRScheduler fromSpec(Map<String, Object> spec, Optimizer optimizer, String prefix) {
        Object typeValue = spec.get("type");
        if (typeValue == null) {
            throw new OptimizerException(Values.field(prefix, "type"), "is required (one of " + String.join(", ", TYPES) + ")");
        }
        String type = Values.string(typeValue, Values.field(prefix, "type"));
        switch (type) {
            case "StepLR": {
                Values.rejectUnknown(spec, List.of("type", "step_size", "gamma"), prefix, "StepLR");
                long stepSize = positive(Values.integer(required(spec, "step_size", prefix), Values.field(prefix, "step_size")),
                        Values.field(prefix, "step_size"));
                return new StepLR(optimizer, stepSize, number(spec, "gamma", 0.1, prefix));
            }
            case "ExponentialLR": {
                Values.rejectUnknown(spec, List.of("type", "gamma"), prefix, "ExponentialLR");
                return new ExponentialLR(optimizer, Values.number(required(spec, "gamma", prefix), Values.field(prefix, "gamma")));
            }
            case "CosineAnnealingLR": {
                Values.rejectUnknown(spec, List.of("type", "T_max", "eta_min"), prefix, "CosineAnnealingLR");
                long tMax = positive(Values.integer(required(spec, "T_max", prefix), Values.field(prefix, "T_max")),
                        Values.field(prefix, "T_max"));
                return new CosineAnnealingLR(optimizer, tMax, number(spec, "eta_min", 0L, prefix));
            }
            default:
                throw new OptimizerException(Values.field(prefix, "type"),
                        "unknown scheduler '" + type + "' (one of " + String.join(", ", TYPES) + ")");
        }
    }

    /** PyTorch would divide by zero later; refused up front. */
    static long positive(long value, String field) {
        if (value < 1) {
            throw new OptimizerException(field, "must be at least 1, not " + value);
        }
        return value;
    }

    private static Object required(Map<String, Object> spec, String key, String prefix) {
        if (spec.get(key) == null) {
            throw new OptimizerException(Values.field(prefix, key), "is required");
        }
        return spec.get(key);
    }

    private static Number number(Map<String, Object> spec, String key, Number pytorchDefault, String prefix) {
        return spec.get(key) == null ? pytorchDefault : Values.number(spec.get(key), Values.field(prefix, key));
    }
}
