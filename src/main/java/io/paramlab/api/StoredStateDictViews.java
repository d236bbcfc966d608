package io.paramlab.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.paramlab.formats.RawTensors;
import io.paramlab.nn.TensorStats;
import io.paramlab.store.StateDictStore;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The answers about stored state dicts (API.md, "State dicts without a model"), built from the store's rows. */
final class StoredStateDictViews {
    private StoredStateDictViews() {
    }

    /** The list's rows; the summary adds {@code tensors} and {@code modules}. */
    record StateDictInfo(String id, String name, long version, int tensorCount, long parameterCount, long bytes,
                         Map<String, Long> dtypes, Instant createdAt, Instant updatedAt, String owner, String source,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<TensorRow> tensors,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<ModuleRow> modules) {
    }

    record TensorRow(String key, int[] shape, String dtype, long numel, String tiedTo) {
    }

    record ModuleRow(String path, int tensorCount, long parameterCount) {
    }

    record TensorStatsRow(String key, int[] shape, String dtype, long numel, TensorStats data) {
    }

    record StatsAnswer(List<TensorStatsRow> tensors) {
    }

    /**
     * {@code {"name": ...}}: the name is required (an empty patch renamed to null, a version and a
     * history row for nothing), 1 to 200 characters as a model's, or null for no name.
     */
    record Rename(@JsonProperty(required = true) @Size(min = 1, max = 200) String name) {
    }

    static StateDictInfo info(StateDictStore.Summary s, List<RawTensors.Tensor> tensors, boolean detail) {
        Map<String, Long> dtypes = new LinkedHashMap<>();
        for (RawTensors.Tensor t : tensors) {
            if (t.tiedTo() == null) {
                dtypes.merge(t.dtype().pytorchName(), t.numel(), Long::sum);
            }
        }
        return new StateDictInfo(s.id(), s.name(), s.version(), s.tensorCount(), s.parameterCount(), s.bytes(), dtypes,
                s.createdAt(), s.updatedAt(), s.owner(), s.source(), detail ? rows(tensors) : null, detail ? modules(tensors) : null);
    }

    private static List<TensorRow> rows(List<RawTensors.Tensor> tensors) {
        return tensors.stream().map(t -> new TensorRow(t.key(), t.shape(), t.dtype().pytorchName(), t.numel(),
                t.tiedTo() == null ? null : tensors.get(t.tiedTo()).key())).toList();
    }

    /**
     * Every module path the dotted keys imply ({@code ""}, {@code layer1}, {@code layer1.0}, ...), in
     * order of first appearance, with the keys under it and their elements (a shared storage once).
     */
    static List<ModuleRow> modules(List<RawTensors.Tensor> tensors) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, long[]> elements = new LinkedHashMap<>();
        Map<String, Set<Integer>> storages = new LinkedHashMap<>();
        for (RawTensors.Tensor t : tensors) {
            int storage = t.tiedTo() == null ? t.position() : t.tiedTo();
            List<String> paths = new ArrayList<>();
            paths.add("");
            for (int dot = t.key().indexOf('.'); dot >= 0; dot = t.key().indexOf('.', dot + 1)) {
                paths.add(t.key().substring(0, dot));
            }
            for (String path : paths) {
                counts.computeIfAbsent(path, p -> new int[1])[0]++;
                long[] sum = elements.computeIfAbsent(path, p -> new long[1]);
                if (storages.computeIfAbsent(path, p -> new HashSet<>()).add(storage)) {
                    sum[0] += t.numel();
                }
            }
        }
        List<ModuleRow> out = new ArrayList<>();
        counts.forEach((path, n) -> out.add(new ModuleRow(path, n[0], elements.get(path)[0])));
        return out;
    }
}
