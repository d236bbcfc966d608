package io.paramlab.model;

import io.paramlab.spec.InvalidInputException;

import java.util.Map;

/**
 * A loss's keyword arguments ({@code "loss_options"}), PyTorch's names and defaults:
 * cross_entropy takes {@code ignore_index=-100} and {@code label_smoothing=0.0}; the other losses none.
 */
public record LossOptions(long ignoreIndex, double labelSmoothing) {
    public static final LossOptions DEFAULTS = new LossOptions(io.paramlab.tensor.Losses.IGNORE_INDEX, 0);

    public static LossOptions parse(Loss loss, Map<String, Object> options) {
        if (options == null || options.isEmpty()) {
            return DEFAULTS;
        }
        long ignoreIndex = DEFAULTS.ignoreIndex;
        double labelSmoothing = DEFAULTS.labelSmoothing;
        for (Map.Entry<String, Object> e : options.entrySet()) {
            String field = "loss_options." + e.getKey();
            Object v = e.getValue();
            if (loss != Loss.CROSS_ENTROPY) {
                throw new InvalidInputException(field, "loss \"" + loss.apiName() + "\" takes no options");
            }
            switch (e.getKey()) {
                case "ignore_index" -> {
                    if (!(v instanceof Integer || v instanceof Long)) {
                        throw new InvalidInputException(field, "must be an integer, got " + v);
                    }
                    ignoreIndex = ((Number) v).longValue();
                }
                case "label_smoothing" -> {
                    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                        throw new InvalidInputException(field, "must be a number, got " + v);
                    }
                    labelSmoothing = n.doubleValue();
                    if (labelSmoothing < 0 || labelSmoothing > 1) {
                        throw new InvalidInputException(field, "label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
                    }
                }
                default -> throw new InvalidInputException(field, "unknown option '" + e.getKey()
                        + "' for cross_entropy (known: ignore_index, label_smoothing)");
            }
        }
        return new LossOptions(ignoreIndex, labelSmoothing);
    }
}
