package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tied parameters: keys whose TensorData share one array instance, which is how a state dict says "one storage". */
final class Tied {
    /** Python's and Rust's string order (code points, the same as UTF-8 bytes), not Java's UTF-16 order. */
    static final Comparator<String> BY_CODE_POINT = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private Tied() {
    }

    /** The array behind a tensor, whose identity is its storage. */
    static Object storage(TensorData t) {
        return t.isFloat() ? t.floats() : t.isBool() ? t.bools() : t.longs();
    }

    /** Keys grouped by storage, groups in order of first appearance, keys in state-dict order. */
    static List<List<String>> groups(Map<String, TensorData> stateDict) {
        Map<Object, List<String>> byStorage = new IdentityHashMap<>();
        List<List<String>> groups = new ArrayList<>();
        stateDict.forEach((key, t) -> byStorage.computeIfAbsent(storage(t), s -> {
            List<String> g = new ArrayList<>();
            groups.add(g);
            return g;
        }).add(key));
        return groups;
    }

    /** safetensors' save_model choice: each key of a tied group but the smallest, mapped to the smallest. */
    static Map<String, String> aliases(Map<String, TensorData> stateDict) {
        Map<String, String> aliases = new LinkedHashMap<>();
        for (List<String> group : groups(stateDict)) {
            String kept = group.stream().min(BY_CODE_POINT).orElseThrow();
            for (String key : group) {
                if (!key.equals(kept)) {
                    aliases.put(key, kept);
                }
            }
        }
        return aliases;
    }
}
