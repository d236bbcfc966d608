package io.paramlab.model;

import io.paramlab.init.InitPolicy;
import io.paramlab.nn.InitRule;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.InitSpec;
import io.paramlab.store.CountingDataSource;
import io.paramlab.store.EmbeddedDatabase;
import io.paramlab.store.JdbcModelStore;
import io.paramlab.store.StoreProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A commit writes what its change touched: a rename or a mode switch encodes and hashes no tensor, a
 * one-element write one chunk of one tensor, and after every kind of change (failed ones, changes kept in
 * memory until a later commit, evictions and reloads included) the store holds the live model bit for bit.
 * The store is a real SQLite file with 4 KiB chunks, seen through a DataSource that counts what is sent.
 */
class CommitWritesWhatChangedTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    // 0.weight 64 x 64: four chunks of 1024 floats; a BatchNorm1d's buffers; a LazyLinear materialized by the first forward
    private static final String SPEC = """
            {"name": "net", "seed": 5, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 64, "out_features": 64}, {"type": "BatchNorm1d", "num_features": 64},
              {"type": "Linear", "in_features": 64, "out_features": 16}, {"type": "LazyLinear", "out_features": 3}]}}""";

    @TempDir
    Path dataDir;
    private EmbeddedDatabase database;
    private CountingDataSource counting;
    private JdbcModelStore store;
    private ParamlabLimits limits;
    private ModelRegistry registry;
    private ModelOperations operations;
    private TrainingOperations training;
    private CheckpointOperations checkpoints;

    @BeforeEach
    void open() {
        RequestContext.set(RequestContext.SERVICE);
        database = Stores.open(dataDir);
        counting = new CountingDataSource(database.dataSource());
        store = new JdbcModelStore(counting.dataSource(), new StoreProperties(10_000, DataSize.ofBytes(4096), Duration.ofHours(24)),
                Clock.systemUTC());
        limits = Stores.limits(1_000_000, 10_000_000, 100, 1_000_000);
        restart();
    }

    /** A new registry on the same store: every model comes back from the store at its next use. */
    private void restart() {
        registry = new ModelRegistry(limits, store, dataDir);
        operations = new ModelOperations(registry, limits);
        training = new TrainingOperations(registry, limits);
        checkpoints = new CheckpointOperations(registry, store);
    }

    @AfterEach
    void close() {
        RequestContext.clear();
        database.close();
    }

    private static boolean chunkLookup(String sql) {
        return sql.startsWith("SELECT size FROM chunk WHERE digest = ?");
    }

    private static boolean chunkInsert(String sql) {
        return sql.startsWith("INSERT INTO chunk ");
    }

    @Test
    void aRenameOrAModeSwitchHashesNoTensor() {
        LiveModel model = registry.create(JSON.readTree(SPEC));
        counting.clear();
        operations.patch(model.id(), null, "renamed");
        assertThat(counting.count(CommitWritesWhatChangedTest::chunkLookup)).as("chunks hashed").isZero();
        assertThat(counting.count(CommitWritesWhatChangedTest::chunkInsert)).isZero();
        operations.patch(model.id(), false, null);
        assertThat(counting.count(CommitWritesWhatChangedTest::chunkLookup)).as("chunks hashed").isZero();
        assertThat(model.version()).isEqualTo(3);
        assertStoredAsLive(model);
    }

    @Test
    void aOneElementWriteHashesOneChunk() {
        LiveModel model = registry.create(JSON.readTree(SPEC));
        counting.clear();
        operations.patchParameter(model.id(), "0.weight", new ModelOperations.ParameterPatch(new int[] {40, 3}, 7.5f, null, null));
        // 0.weight[40, 3] is element 2563: the third of its four chunks
        assertThat(counting.count(CommitWritesWhatChangedTest::chunkLookup)).as("chunks hashed").isEqualTo(1);
        assertThat(counting.boundBytes(CommitWritesWhatChangedTest::chunkInsert)).isEqualTo(4096);
        counting.clear();
        operations.patchParameter(model.id(), "2.bias", new ModelOperations.ParameterPatch(null, null, null, false));
        assertThat(counting.count(CommitWritesWhatChangedTest::chunkLookup)).as("a flag alone: no chunk").isZero();
        assertStoredAsLive(model);
        assertThat(model.read(() -> model.root().namedParameters().get("0.weight").data()[2563])).isEqualTo(7.5f);
    }

    /** After each kind of change, and after restarts, the stored version is the live model. */
    @Test
    void theStoreHoldsTheLiveModelAfterEveryKindOfChange() {
        LiveModel model = registry.create(JSON.readTree(SPEC));
        String id = model.id();
        operations.forward(id, null, input(4));   // training mode: BatchNorm's statistics move, the lazy layer materializes
        assertStoredAsLive(model);
        operations.patchParameter(id, "0.weight", new ModelOperations.ParameterPatch(new int[] {0, 0}, 1f, null, null));
        operations.patchParameter(id, "0.weight", new ModelOperations.ParameterPatch(new int[] {63, 63}, -1f, null, null));
        assertStoredAsLive(model);
        checkpoints.create(id, "before-training", null);
        operations.backward(id, input(4), null, Loss.SUM);
        training.setOptimizer(id, Map.of("type", "SGD", "lr", 0.1, "momentum", 0.9));
        training.step(id);
        assertStoredAsLive(model);
        operations.init(id, new InitSpec(9L, List.of(new InitRule("", null, Map.of("weight", new InitPolicy.Normal(0, 1))))));
        assertStoredAsLive(model);

        // a change kept in memory (a job's step), then a commit whose own footprint names no values (its epoch end)
        LiveModel current = model;
        model.change("job.step", Footprint.JOB_STEP, () -> {
            current.root().namedParameters().values().forEach(p -> p.data()[p.data().length - 1] *= 2);
            return null;
        });
        model.change("job.epoch", Footprint.JOB_COMMIT, () -> null);
        assertStoredAsLive(model);

        // a change that fails after writing: the next commit writes what it wrote (and then put back)
        assertThatThrownBy(() -> operations.patchParameter(id, "2.weight",
                new ModelOperations.ParameterPatch(null, null, TensorData.ofFloats(new float[3], 3), null)))
                .isInstanceOf(UnprocessableException.class);
        assertThatThrownBy(() -> current.change("test", Footprint.STEP, () -> {
            current.root().namedParameters().values().forEach(p -> p.data()[0] += 100);
            throw new IllegalStateException("failed after writing");
        })).isInstanceOf(IllegalStateException.class);
        operations.patch(id, null, "after a failure");
        assertStoredAsLive(model);

        restart();   // the model comes back from the store; its next changes are measured against that version
        model = registry.get(id);
        operations.patchParameter(id, "3.weight", new ModelOperations.ParameterPatch(new int[] {2, 15}, 0.25f, null, null));
        assertStoredAsLive(model);
        checkpoints.restore(id, "before-training");
        assertStoredAsLive(model);
        operations.patchParameter(id, "0.bias", new ModelOperations.ParameterPatch(new int[] {5}, 3f, null, null));
        operations.patch(id, true, "again");
        operations.forward(id, null, input(8));
        assertStoredAsLive(model);
    }

    /** The store's version read back, against the live model's state dict, raw bits compared. */
    private void assertStoredAsLive(LiveModel model) {
        Map<String, TensorData> stored = store.load(model.id()).orElseThrow().state().stateDict();
        Map<String, int[]> live = model.read(() -> {
            Map<String, int[]> bits = new LinkedHashMap<>();
            model.root().stateDict().forEach((key, tensor) -> {
                if (tensor.shape() != null) {   // an uninitialized lazy parameter is not stored
                    bits.put(key, bits(tensor));
                }
            });
            return bits;
        });
        assertThat(stored.keySet()).containsExactlyElementsOf(live.keySet());
        stored.forEach((key, tensor) -> assertThat(java.util.Arrays.mismatch(bits(tensor), live.get(key)))
                .as("%s: the first element stored otherwise than it is live", key).isEqualTo(-1));
    }

    private static int[] bits(TensorData tensor) {
        if (!tensor.isFloat()) {
            return java.util.Arrays.stream(tensor.longs()).mapToInt(Long::hashCode).toArray();
        }
        int[] bits = new int[tensor.floats().length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float.floatToRawIntBits(tensor.floats()[i]);
        }
        return bits;
    }

    private static TensorData input(int rows) {
        float[] x = new float[rows * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37);
        }
        return TensorData.ofFloats(x, rows, 64);
    }
}
