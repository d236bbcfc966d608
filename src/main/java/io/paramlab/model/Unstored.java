package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.store.TensorChanges;
import io.paramlab.tensor.Tensor;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What of a model's tensors may differ from the version the store holds: the footprints of every change
 * since that version (committed, kept in memory or rolled back alike), and each state-dict key's storage
 * as it was then, by identity. The next commit writes only that ({@link TensorChanges}); a key whose array
 * is another one now (a lazy layer materialized, a saved copy swapped back) is written whole.
 */
final class Unstored {
    /** Past this many single elements of one parameter, the parameter counts as changed whole. */
    private static final int MAX_ELEMENTS = 4096;

    private Map<String, Object> storages;   // each key's array at the stored version; null: unknown, write everything
    private boolean allValues;
    private boolean buffers;
    private final Map<Tensor, TreeSet<Integer>> parameters = new IdentityHashMap<>();   // a null set: the whole parameter

    /** The contents are the store's version now (created, loaded or committed): nothing differs. */
    void stored(Module root) {
        storages = new HashMap<>();
        root.stateDict().forEach((key, tensor) -> storages.put(key, storage(tensor)));
        allValues = false;
        buffers = false;
        parameters.clear();
    }

    /** The contents are gone (evicted): until they are loaded again, nothing is known. */
    void forget() {
        storages = null;
        parameters.clear();
    }

    /** A change with this footprint is about to run. */
    void touched(Footprint footprint) {
        buffers |= footprint.buffers();
        if (footprint.values() == null) {
            return;
        }
        if (footprint.values().isEmpty()) {
            allValues = true;
            return;
        }
        for (Tensor p : footprint.values()) {
            if (footprint.elements() == null) {
                parameters.put(p, null);
            } else if (!parameters.containsKey(p) || parameters.get(p) != null) {
                TreeSet<Integer> elements = parameters.computeIfAbsent(p, t -> new TreeSet<>());
                for (int i : footprint.elements()) {
                    elements.add(i);
                }
                if (elements.size() > MAX_ELEMENTS) {
                    parameters.put(p, null);
                }
            }
        }
    }

    /** What differs in {@code stateDict} (the state about to be committed, of {@code root}) from the stored version. */
    TensorChanges changes(Module root, Map<String, TensorData> stateDict) {
        if (storages == null) {
            return TensorChanges.EVERYTHING;
        }
        Map<String, Tensor> parameterNames = root.allParameterNames();
        Map<String, TensorChanges.Elements> changed = new HashMap<>();
        stateDict.forEach((key, tensor) -> {
            Tensor p = parameterNames.get(key);
            Object storage = storage(tensor);
            boolean whole = storage == null || storages.get(key) != storage
                    || (p != null ? allValues || (parameters.containsKey(p) && parameters.get(p) == null) : buffers);
            if (whole) {
                changed.put(key, new TensorChanges.Whole());
            } else if (p != null && parameters.containsKey(p)) {
                changed.put(key, new TensorChanges.Some(parameters.get(p).stream().mapToInt(Integer::intValue).toArray()));
            }
        });
        return TensorChanges.of(changed);
    }

    private static Object storage(TensorData tensor) {
        return tensor.isFloat() ? tensor.floats() : tensor.isBool() ? tensor.bools() : tensor.longs();
    }
}
