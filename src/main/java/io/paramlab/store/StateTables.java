package io.paramlab.store;

import io.paramlab.nn.TensorData;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * States in the tables {@code state}, {@code state_tensor}, {@code tensor_chunk} and {@code chunk}:
 * written and read one chunk at a time, each distinct chunk stored once, tied storages once.
 * Every method runs inside the caller's transaction.
 */
final class StateTables {
    private final JdbcClient jdbc;
    private final Dialect dialect;
    private final TensorChunks chunks;

    StateTables(JdbcClient jdbc, Dialect dialect, TensorChunks chunks) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.chunks = chunks;
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * What a write did: the new state's id, the digests it references, the bytes of the chunks it added
     * to the store, and the bytes it encoded and hashed (chunks taken from the previous version are neither).
     */
    record Written(String stateId, Set<String> digests, long newChunkBytes, long hashedBytes) {
    }

    /** A new state, every tensor hashed (its chunks found by digest where the store has them). */
    Written write(ModelState state) {
        return write(state, Map.of(), TensorChanges.EVERYTHING);
    }

    /**
     * A new state that replaces {@code previousStateId}: the chunks {@code changes} does not touch, of a tensor
     * whose key, dtype, shape and chunking are as in the previous state, are that state's chunks, taken by digest
     * without reading, encoding or hashing the values.
     */
    Written write(ModelState state, String previousStateId, TensorChanges changes) {
        return write(state, changes.everything() ? Map.of() : storedTensors(previousStateId), changes);
    }

    private Written write(ModelState state, Map<String, StoredTensor> previous, TensorChanges changes) {
        String stateId = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO state (id, name, spec, training, generator, optimizer, optimizer_state, parameter_count)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(stateId, state.name(), state.specJson(), state.training() ? 1 : 0, state.generatorState(),
                        state.optimizerJson(), state.optimizerState(), state.parameterCount())
                .update();
        Map<Object, Integer> storages = new IdentityHashMap<>();
        Set<String> digests = new HashSet<>();
        long[] bytes = new long[2];   // new chunk bytes, hashed bytes
        int position = 0;
        for (Map.Entry<String, TensorData> entry : state.stateDict().entrySet()) {
            TensorData tensor = entry.getValue();
            Integer storageOf = storages.putIfAbsent(tensor.isFloat() ? tensor.floats() : tensor.isBool() ? tensor.bools() : tensor.longs(), position);
            Boolean requiresGrad = state.requiresGrad().get(entry.getKey());
            jdbc.sql("INSERT INTO state_tensor (state_id, position, tensor_key, dtype, shape, numel, requires_grad, storage_of)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(stateId, position, entry.getKey(), tensor.dtype(), shapeText(tensor.shape()), (long) tensor.numel(),
                            requiresGrad == null ? null : requiresGrad ? 1 : 0, storageOf)
                    .update();
            if (storageOf == null) {
                StoredTensor before = previous.get(entry.getKey());
                writeChunks(stateId, position, entry.getKey(), tensor, before != null && before.chunkedAs(tensor, chunks) ? before : null,
                        changes, digests, bytes);
            }
            position++;
        }
        return new Written(stateId, digests, bytes[0], bytes[1]);
    }

    private void writeChunks(String stateId, int position, String key, TensorData tensor, StoredTensor before,
                             TensorChanges changes, Set<String> digests, long[] bytes) {
        int count = chunks.chunkCount(tensor);
        long perChunk = chunks.elementsPerChunk(tensor);
        for (int seq = 0; seq < count; seq++) {
            String digest;
            if (before != null && !changes.touches(key, seq * perChunk, (seq + 1) * perChunk)) {
                digest = before.digests().get(seq);   // the previous version's chunk; the foreign key keeps it from a sweep
            } else {
                byte[] data = chunks.chunk(tensor, seq);
                digest = TensorChunks.sha256(data);
                bytes[1] += data.length;
                boolean stored = jdbc.sql("SELECT size FROM chunk WHERE digest = ?" + dialect.keepChunk)
                        .param(digest).query(Integer.class).optional().isPresent();
                if (!stored) {
                    bytes[0] += jdbc.sql("INSERT INTO chunk (digest, size, data) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING")
                            .params(digest, data.length, data).update() * (long) data.length;
                }
            }
            jdbc.sql("INSERT INTO tensor_chunk (state_id, position, seq, digest) VALUES (?, ?, ?, ?)")
                    .params(stateId, position, seq, digest).update();
            digests.add(digest);
        }
    }

    /** A stored tensor with its own chunks (not an alias): its dtype, shape and each chunk's digest and size. */
    private record StoredTensor(String dtype, int[] shape, List<String> digests, List<Integer> sizes) {
        /** Whether {@code tensor} is chunked as this one was: the same dtype, shape and chunk boundaries. */
        boolean chunkedAs(TensorData tensor, TensorChunks chunks) {
            if (!dtype.equals(tensor.dtype()) || !Arrays.equals(shape, tensor.shape()) || digests.size() != chunks.chunkCount(tensor)) {
                return false;
            }
            for (int seq = 0; seq < sizes.size(); seq++) {
                if (sizes.get(seq) != chunks.chunkSize(tensor, seq)) {
                    return false;   // stored with another chunk size
                }
            }
            return true;
        }
    }

    /** The stored tensors of a state that have chunks of their own, by key. */
    private Map<String, StoredTensor> storedTensors(String stateId) {
        Map<Integer, List<String>> digests = new HashMap<>();
        Map<Integer, List<Integer>> sizes = new HashMap<>();
        jdbc.sql("SELECT t.position, t.digest, c.size FROM tensor_chunk t JOIN chunk c ON c.digest = t.digest"
                        + " WHERE t.state_id = ? ORDER BY t.position, t.seq")
                .param(stateId)
                .query(rs -> {
                    digests.computeIfAbsent(rs.getInt(1), p -> new ArrayList<>()).add(rs.getString(2));
                    sizes.computeIfAbsent(rs.getInt(1), p -> new ArrayList<>()).add(rs.getInt(3));
                });
        Map<String, StoredTensor> stored = new HashMap<>();
        jdbc.sql("SELECT position, tensor_key, dtype, shape FROM state_tensor WHERE state_id = ? AND storage_of IS NULL")
                .param(stateId)
                .query(rs -> {
                    int position = rs.getInt(1);
                    stored.put(rs.getString(2), new StoredTensor(rs.getString(3), parseShape(rs.getString(4)),
                            digests.getOrDefault(position, List.of()), sizes.getOrDefault(position, List.of())));
                });
        return stored;
    }

    private record TensorRow(int position, String key, String dtype, int[] shape, long numel, Integer requiresGrad,
                             Integer storageOf) {
    }

    ModelState read(String stateId) {
        record StateRow(String name, String spec, boolean training, byte[] generator, String optimizer, byte[] optimizerState) {
        }
        StateRow row = jdbc.sql("SELECT name, spec, training, generator, optimizer, optimizer_state FROM state WHERE id = ?")
                .param(stateId)
                .query((rs, n) -> new StateRow(rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getBytes(4),
                        rs.getString(5), rs.getBytes(6)))
                .single();
        List<TensorRow> rows = jdbc.sql("SELECT position, tensor_key, dtype, shape, numel, requires_grad, storage_of"
                        + " FROM state_tensor WHERE state_id = ? ORDER BY position")
                .param(stateId)
                .query((rs, n) -> new TensorRow(rs.getInt(1), rs.getString(2), rs.getString(3), parseShape(rs.getString(4)),
                        rs.getLong(5), rs.getObject(6) == null ? null : rs.getInt(6),
                        rs.getObject(7) == null ? null : rs.getInt(7)))
                .list();
        Map<String, TensorData> stateDict = new LinkedHashMap<>();
        Map<String, Boolean> requiresGrad = new LinkedHashMap<>();
        Map<Integer, TensorData> byPosition = new HashMap<>();
        for (TensorRow tensor : rows) {
            TensorData data = tensor.storageOf() != null
                    ? alias(byPosition.get(tensor.storageOf()), tensor.shape())
                    : readTensor(stateId, tensor);
            byPosition.put(tensor.position(), data);
            stateDict.put(tensor.key(), data);
            if (tensor.requiresGrad() != null) {
                requiresGrad.put(tensor.key(), tensor.requiresGrad() != 0);
            }
        }
        return new ModelState(row.name(), row.spec(), row.training(), row.generator(), requiresGrad, stateDict, row.optimizer(),
                row.optimizerState());
    }

    private static TensorData alias(TensorData storage, int[] shape) {
        return new TensorData(shape, storage.floats(), storage.longs(), storage.bools());
    }

    private TensorData readTensor(String stateId, TensorRow row) {
        if (row.numel() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("stored tensor \"" + row.key() + "\" has " + row.numel() + " elements");
        }
        int numel = (int) row.numel();
        TensorData tensor = switch (row.dtype()) {
            case "float32" -> TensorData.ofFloats(new float[numel], row.shape());
            case "int64" -> TensorData.ofLongs(new long[numel], row.shape());
            case "bool" -> TensorData.ofBools(new boolean[numel], row.shape());
            default -> throw new IllegalStateException("stored tensor \"" + row.key() + "\" has dtype " + row.dtype());
        };
        List<String> digests = jdbc.sql("SELECT digest FROM tensor_chunk WHERE state_id = ? AND position = ? ORDER BY seq")
                .params(stateId, row.position()).query(String.class).list();
        int filled = 0;
        for (String digest : digests) {
            byte[] bytes = jdbc.sql("SELECT data FROM chunk WHERE digest = ?").param(digest)
                    .query((rs, n) -> rs.getBytes(1)).single();
            if (!TensorChunks.sha256(bytes).equals(digest)) {
                throw new IllegalStateException("chunk " + digest + " of \"" + row.key() + "\" does not match its digest");
            }
            filled += TensorChunks.decodeInto(tensor, filled, bytes);
        }
        if (filled != numel) {
            throw new IllegalStateException("stored tensor \"" + row.key() + "\" has " + filled + " of " + numel + " elements");
        }
        return tensor;
    }

    /** A copy of a state in SQL: new rows that reference the same chunks, no tensor bytes read. */
    String copy(String stateId) {
        String copyId = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO state (id, name, spec, training, generator, optimizer, optimizer_state, parameter_count)"
                + " SELECT ?, name, spec, training, generator, optimizer, optimizer_state, parameter_count FROM state WHERE id = ?")
                .params(copyId, stateId).update();
        jdbc.sql("INSERT INTO state_tensor (state_id, position, tensor_key, dtype, shape, numel, requires_grad, storage_of)"
                + " SELECT ?, position, tensor_key, dtype, shape, numel, requires_grad, storage_of FROM state_tensor WHERE state_id = ?")
                .params(copyId, stateId).update();
        jdbc.sql("INSERT INTO tensor_chunk (state_id, position, seq, digest)"
                + " SELECT ?, position, seq, digest FROM tensor_chunk WHERE state_id = ?").params(copyId, stateId).update();
        return copyId;
    }

    Set<String> digests(String stateId) {
        return new HashSet<>(jdbc.sql("SELECT DISTINCT digest FROM tensor_chunk WHERE state_id = ?")
                .param(stateId).query(String.class).list());
    }

    long parameterCount(String stateId) {
        return jdbc.sql("SELECT COALESCE(SUM(numel), 0) FROM state_tensor WHERE state_id = ? AND requires_grad IS NOT NULL")
                .param(stateId).query(Long.class).single();
    }

    void delete(String stateId) {
        jdbc.sql("DELETE FROM tensor_chunk WHERE state_id = ?").param(stateId).update();
        jdbc.sql("DELETE FROM state_tensor WHERE state_id = ?").param(stateId).update();
        jdbc.sql("DELETE FROM state WHERE id = ?").param(stateId).update();
    }

    /** Deletes those of {@code candidates} that no tensor references any more; answers how many. */
    int sweep(Collection<String> candidates) {
        int deleted = 0;
        for (String digest : candidates) {
            deleted += jdbc.sql("DELETE FROM chunk WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM tensor_chunk WHERE digest = ?)")
                    .params(digest, digest).update();
        }
        return deleted;
    }

    /** Deletes every chunk no tensor references (after a crash between a commit and its sweep). */
    int sweepAll() {
        return jdbc.sql("DELETE FROM chunk WHERE NOT EXISTS (SELECT 1 FROM tensor_chunk t WHERE t.digest = chunk.digest)").update();
    }

    private static String shapeText(int[] shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static int[] parseShape(String text) {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static List<String> minus(Set<String> from, Set<String> kept) {
        List<String> rest = new ArrayList<>(from);
        rest.removeAll(kept);
        return rest;
    }
}
