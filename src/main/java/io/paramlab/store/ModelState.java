package io.paramlab.store;

import io.paramlab.nn.TensorData;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model's durable state at one version, everything a client reads back but gradients.
 *
 * @param name           the model's name
 * @param specJson       the model spec as JSON text
 * @param training       the training flag
 * @param generatorState {@code Generator.state()}, or null
 * @param requiresGrad   per parameter (the keys of {@code named_parameters()}, tied ones once), in order
 * @param stateDict      {@code state_dict()} in key order; keys whose TensorData share one array (tied)
 *                       are stored once and come back sharing one array again
 * @param optimizerJson  the optimizer and scheduler (spec, step count; in records stored before the state had a
 *                       column of its own, their state too), opaque to the store, or null
 * @param optimizerState the optimizer's and scheduler's state as bytes, opaque to the store, or null
 */
public record ModelState(String name, String specJson, boolean training, byte[] generatorState,
                         Map<String, Boolean> requiresGrad, Map<String, TensorData> stateDict, String optimizerJson,
                         byte[] optimizerState) {

    /** A state whose optimizer record (if any) is all in its text. */
    public ModelState(String name, String specJson, boolean training, byte[] generatorState,
                      Map<String, Boolean> requiresGrad, Map<String, TensorData> stateDict, String optimizerJson) {
        this(name, specJson, training, generatorState, requiresGrad, stateDict, optimizerJson, null);
    }

    public ModelState {
        Objects.requireNonNull(specJson, "specJson");
        requiresGrad = Collections.unmodifiableMap(new LinkedHashMap<>(requiresGrad));
        stateDict = Collections.unmodifiableMap(new LinkedHashMap<>(stateDict));
        stateDict.forEach((key, tensor) -> {
            long elements = 1;
            for (int size : tensor.shape()) {
                elements *= size;
            }
            if (elements != tensor.numel()) {
                throw new IllegalArgumentException("\"" + key + "\" has shape " + TensorData.torchSize(tensor.shape())
                        + " but " + tensor.numel() + " elements");
            }
        });
        for (String key : requiresGrad.keySet()) {
            if (!stateDict.containsKey(key)) {
                throw new IllegalArgumentException("requires_grad of \"" + key + "\", which is not a state-dict key");
            }
        }
    }

    /** Elements of the parameters (the keys of {@link #requiresGrad()}), as a model's {@code parameter_count}. */
    public long parameterCount() {
        return requiresGrad.keySet().stream().mapToLong(key -> stateDict.get(key).numel()).sum();
    }
}
