package io.paramlab.store;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every ModelStore does, run against a real SQLite file and a real PostgreSQL. */
abstract class ModelStoreContract {
    static final int HISTORY_LIMIT = 5;
    /** The instance the stores of a test commit as (on PostgreSQL a commit needs the creating instance's lease). */
    static final String INSTANCE = "contract";

    protected StoreFixtures.TestClock clock;
    protected JdbcModelStore store;
    protected JdbcClient jdbc;
    protected DataSource dataSource;

    /** A database with the schema and no rows. */
    protected abstract DataSource emptyDatabase();

    @BeforeEach
    void openStore() {
        dataSource = emptyDatabase();
        clock = new StoreFixtures.TestClock();
        store = new JdbcModelStore(dataSource, StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE);
        jdbc = JdbcClient.create(dataSource);
    }

    private static final Change CREATE = new Change("anonymous", "create", "created");

    private ModelSummary create(String id, ModelState state) {
        return store.create(new ModelRecord(id, null, state), CREATE);
    }

    private long chunkRows() {
        return jdbc.sql("SELECT COUNT(*) FROM chunk").query(Long.class).single();
    }

    private Set<String> chunkDigests() {
        return Set.copyOf(jdbc.sql("SELECT digest FROM chunk").query(String.class).list());
    }

    static void assertSameState(ModelState actual, ModelState expected) {
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.specJson()).isEqualTo(expected.specJson());
        assertThat(actual.training()).isEqualTo(expected.training());
        assertThat(actual.generatorState()).isEqualTo(expected.generatorState());
        assertThat(actual.optimizerJson()).isEqualTo(expected.optimizerJson());
        assertThat(actual.optimizerState()).isEqualTo(expected.optimizerState());
        assertThat(actual.requiresGrad()).containsExactlyEntriesOf(expected.requiresGrad());
        assertThat(actual.stateDict().keySet()).containsExactlyElementsOf(expected.stateDict().keySet());
        expected.stateDict().forEach((key, tensor) -> {
            TensorData back = actual.stateDict().get(key);
            assertThat(back.shape()).as(key).isEqualTo(tensor.shape());
            assertThat(back.dtype()).as(key).isEqualTo(tensor.dtype());
            if (tensor.isFloat()) {
                assertThat(rawBits(back.floats())).as(key).isEqualTo(rawBits(tensor.floats()));
            } else if (tensor.isBool()) {
                assertThat(back.bools()).as(key).isEqualTo(tensor.bools());
            } else {
                assertThat(back.longs()).as(key).isEqualTo(tensor.longs());
            }
        });
    }

    /** {@link StoreFixtures#state} plus a persistent bool mask of 10,000 elements (3 chunks of a byte per element) under two keys. */
    static ModelState masked(String name, int seed) {
        ModelState base = StoreFixtures.state(name, seed);
        boolean[] mask = new boolean[10_000];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i * 7 + seed) % 5 == 0;
        }
        Map<String, TensorData> stateDict = new java.util.LinkedHashMap<>(base.stateDict());
        stateDict.put("3.mask", TensorData.ofBools(mask, 100, 100));
        stateDict.put("4.mask", TensorData.ofBools(mask, 100, 100));
        return new ModelState(base.name(), base.specJson(), base.training(), base.generatorState(), base.requiresGrad(),
                stateDict, base.optimizerJson());
    }

    @Test
    void boolMaskRoundTripsAsAByteAnElementWithItsTie() {
        ModelState state = masked("masked", 1);
        create("m1", state);
        ModelState back = store.load("m1").orElseThrow().state();
        assertSameState(back, state);
        assertThat(back.stateDict().get("4.mask").bools()).isSameAs(back.stateDict().get("3.mask").bools());
        long maskChunks = jdbc.sql("SELECT COUNT(*) FROM tensor_chunk tc JOIN state_tensor st ON st.state_id = tc.state_id"
                + " AND st.position = tc.position WHERE st.tensor_key = '3.mask'").query(Long.class).single();
        assertThat(maskChunks).as("10,000 bytes in chunks of " + StoreFixtures.CHUNK_BYTES).isEqualTo(3);
        // one element changed: a checkpoint adds its one chunk, the last 10,000 - 2 * 4,096 bytes
        store.createCheckpoint("m1", "before", null);
        back.stateDict().get("3.mask").bools()[9_999] ^= true;
        store.commit("m1", 1, back, new Change("alice", "patch", "mask"));
        assertThat(store.createCheckpoint("m1", "after", null).bytes()).isEqualTo(10_000 - 2 * StoreFixtures.CHUNK_BYTES);
        assertSameState(store.load("m1").orElseThrow().state(), back);
        assertSameState(store.loadCheckpointState("m1", "before").orElseThrow(), state);
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Test
    void roundTripIsBitForBitWithTiedStoragesSharedAgain() {
        ModelState state = StoreFixtures.state("net", 1);
        ModelSummary created = create("m1", state);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.createdAt()).isEqualTo(clock.instant());

        StoredModel loaded = store.load("m1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(1);
        assertThat(loaded.summary().name()).isEqualTo("net");
        assertSameState(loaded.state(), state);
        Map<String, TensorData> back = loaded.state().stateDict();
        assertThat(back.get("2.weight").floats()).isSameAs(back.get("0.weight").floats());
        assertThat(back.get("0.bias").floats()).isNotSameAs(back.get("0.weight").floats());
        assertThat(store.load("nope")).isEmpty();
    }

    @Test
    void tiedStorageIsStoredOnce() {
        create("m1", StoreFixtures.state("net", 1));
        long chunkRefs = jdbc.sql("SELECT COUNT(*) FROM tensor_chunk").query(Long.class).single();
        // 0.weight: 12000 bytes in 3 chunks; 0.bias, running_mean, num_batches_tracked: 1 each; empty: none; 2.weight: alias
        assertThat(chunkRefs).isEqualTo(6);
    }

    @Test
    void commitMovesTheVersionAndRefusesAStaleOne() {
        create("m1", StoreFixtures.state("net", 1));
        clock.advance(Duration.ofSeconds(5));
        ModelSummary committed = store.commit("m1", 1, StoreFixtures.state("renamed", 2), new Change("alice", "patch", "name"));
        assertThat(committed.version()).isEqualTo(2);
        assertThat(committed.name()).isEqualTo("renamed");
        assertThat(committed.updatedAt()).isAfter(committed.createdAt());

        assertThatThrownBy(() -> store.commit("m1", 1, StoreFixtures.state("lost", 3), new Change("bob", "patch", "name")))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expected()).isEqualTo(1);
                    assertThat(e.actual()).isEqualTo(2);
                });
        StoredModel loaded = store.load("m1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(2);
        assertSameState(loaded.state(), StoreFixtures.state("renamed", 2));
        assertThat(store.history("m1", 10)).extracting(HistoryEntry::version).containsExactly(2L, 1L);
        assertThatThrownBy(() -> store.commit("nope", 1, StoreFixtures.state("x", 1), CREATE))
                .isInstanceOf(NoSuchModelException.class);
    }

    @Test
    void historyIsNewestFirstAndKeepsTheLastEntries() {
        create("m1", StoreFixtures.state("net", 1));
        for (int version = 2; version <= 8; version++) {
            clock.advance(Duration.ofSeconds(1));
            store.commit("m1", version - 1, StoreFixtures.state("net", version), new Change("alice", "parameter.patch", "v" + version));
        }
        List<HistoryEntry> history = store.history("m1", 100);
        assertThat(history).extracting(HistoryEntry::version).containsExactly(8L, 7L, 6L, 5L, 4L);
        assertThat(history.get(0)).isEqualTo(new HistoryEntry(8, clock.instant(), "alice", "parameter.patch", "v8"));
        assertThat(store.history("m1", 2)).extracting(HistoryEntry::summary).containsExactly("v8", "v7");
    }

    @Test
    void checkpointOfUnchangedTensorsAddsNoBytes() {
        create("m1", StoreFixtures.state("net", 1));
        long chunks = chunkRows();
        long tensorBytes = jdbc.sql("SELECT SUM(size) FROM chunk").query(Long.class).single();

        Checkpoint first = store.createCheckpoint("m1", "epoch-1", "first");
        assertThat(first.bytes()).isEqualTo(tensorBytes);
        assertThat(first.modelVersion()).isEqualTo(1);
        assertThat(first.parameterCount()).isEqualTo(3004);
        Checkpoint second = store.createCheckpoint("m1", null, null);
        assertThat(second.bytes()).isZero();
        assertThat(chunkRows()).isEqualTo(chunks);

        ModelState changed = StoreFixtures.state("net", 1);
        changed.stateDict().get("0.weight").floats()[0] = 42f;
        store.commit("m1", 1, changed, new Change("alice", "parameter.patch", "one element"));
        Checkpoint third = store.createCheckpoint("m1", "epoch-2", null);
        assertThat(third.bytes()).isEqualTo(StoreFixtures.CHUNK_BYTES);
        assertThat(third.modelVersion()).isEqualTo(2);
        assertThat(store.find("m1").orElseThrow().version()).as("a checkpoint is not a change").isEqualTo(2);

        assertThatThrownBy(() -> store.createCheckpoint("m1", "epoch-1", null)).isInstanceOf(TagTakenException.class);
        assertThatThrownBy(() -> store.createCheckpoint("nope", null, null)).isInstanceOf(NoSuchModelException.class);
        assertThat(store.listCheckpoints("m1")).extracting(Checkpoint::id).containsExactly(first.id(), second.id(), third.id());
        assertThat(store.getCheckpoint("m1", "epoch-1")).contains(first);
        assertThat(store.getCheckpoint("m1", second.id())).contains(second);
        assertThat(store.getCheckpoint("other", first.id())).isEmpty();
        assertSameState(store.loadCheckpointState("m1", first.id()).orElseThrow(), StoreFixtures.state("net", 1));
        assertSameState(store.loadCheckpointState("m1", "epoch-2").orElseThrow(), changed);

        assertThat(store.deleteCheckpoint("m1", "epoch-2")).isTrue();
        assertThat(store.deleteCheckpoint("m1", "epoch-2")).isFalse();
        assertThat(store.listCheckpoints("m1")).extracting(Checkpoint::id).containsExactly(first.id(), second.id());
    }

    @Test
    void oneElementChangeWritesOneChunk() {
        ModelState state = StoreFixtures.state("net", 1);
        create("m1", state);
        store.createCheckpoint("m1", "before", null);   // keeps the old chunks, so the new one is counted, not swapped
        Set<String> before = chunkDigests();
        state.stateDict().get("0.weight").floats()[2500] += 1;
        store.commit("m1", 1, state, new Change("alice", "parameter.patch", "one element"));
        Set<String> after = chunkDigests();
        assertThat(after).hasSize(before.size() + 1).containsAll(before);
        assertSameState(store.load("m1").orElseThrow().state(), state);
    }

    private static boolean chunkLookup(String sql) {
        return sql.startsWith("SELECT size FROM chunk WHERE digest = ?");
    }

    private static boolean chunkInsert(String sql) {
        return sql.startsWith("INSERT INTO chunk ");
    }

    private Map<String, List<String>> chunksByKey(String modelId) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        jdbc.sql("SELECT s.tensor_key, t.digest FROM model m JOIN state_tensor s ON s.state_id = m.state_id"
                        + " JOIN tensor_chunk t ON t.state_id = s.state_id AND t.position = s.position WHERE m.id = ? ORDER BY s.position, t.seq")
                .param(modelId).query(rs -> {
                    byKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return byKey;
    }

    /** A rename changes no tensor: the new version references the previous one's chunks, none encoded, hashed or sent. */
    @Test
    void metadataCommitWritesNoTensor() {
        ModelState state = StoreFixtures.state("net", 1);
        create("m1", state);
        Map<String, List<String>> before = chunksByKey("m1");
        CountingDataSource counting = new CountingDataSource(dataSource);
        JdbcModelStore counted = new JdbcModelStore(counting.dataSource(), StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE);

        ModelState renamed = new ModelState("renamed", state.specJson(), !state.training(), state.generatorState(),
                state.requiresGrad(), state.stateDict(), state.optimizerJson());
        counted.commit("m1", 1, renamed, TensorChanges.of(Map.of()), new Change("alice", "patch", "name"));

        assertThat(counting.count(ModelStoreContract::chunkLookup)).as("chunks hashed and looked up").isZero();
        assertThat(counting.count(ModelStoreContract::chunkInsert)).isZero();
        assertThat(counting.boundBytes(sql -> true)).as("bytes sent: the generator's state only")
                .isEqualTo(state.generatorState().length);
        assertThat(chunksByKey("m1")).isEqualTo(before);
        assertSameState(store.load("m1").orElseThrow().state(), renamed);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM state").query(Long.class).single()).isEqualTo(1);
    }

    /** One changed element: one chunk of one tensor encoded, hashed and written; every other chunk is the previous version's. */
    @Test
    void oneElementCommitHashesOnlyItsChunk() {
        ModelState state = StoreFixtures.state("net", 1);
        create("m1", state);
        Map<String, List<String>> before = chunksByKey("m1");
        CountingDataSource counting = new CountingDataSource(dataSource);
        JdbcModelStore counted = new JdbcModelStore(counting.dataSource(), StoreFixtures.properties(HISTORY_LIMIT), clock, INSTANCE);

        state.stateDict().get("0.weight").floats()[2500] += 1;   // chunk 2 of 0.weight (1024 floats a chunk): 952 floats
        counted.commit("m1", 1, state, TensorChanges.of(Map.of("0.weight", new TensorChanges.Some(new int[] {2500}))),
                new Change("alice", "parameter.patch", "one element"));

        assertThat(counting.count(ModelStoreContract::chunkLookup)).as("chunks hashed and looked up").isEqualTo(1);
        assertThat(counting.boundBytes(ModelStoreContract::chunkInsert)).isEqualTo(952 * 4);
        Map<String, List<String>> after = chunksByKey("m1");
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((key, digests) -> {
            if (!key.equals("0.weight")) {
                assertThat(digests).as(key).isEqualTo(before.get(key));
            }
        });
        assertThat(after.get("0.weight").subList(0, 2)).isEqualTo(before.get("0.weight").subList(0, 2));
        assertThat(after.get("0.weight").get(2)).isNotEqualTo(before.get("0.weight").get(2));
        assertSameState(store.load("m1").orElseThrow().state(), state);
        assertThat(chunkDigests()).as("the replaced chunk is reclaimed").hasSize(6);
    }

    /** What the previous version cannot give (another dtype or shape, another chunk size, an alias before) is written whatever the caller says. */
    @Test
    void aTensorStoredOtherwiseBeforeIsWrittenAgain() {
        create("m1", StoreFixtures.state("net", 1));
        Map<String, TensorData> tensors = new LinkedHashMap<>(StoreFixtures.state("net", 1).stateDict());
        tensors.put("0.bias", TensorData.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));                // another shape
        tensors.put("1.num_batches_tracked", TensorData.ofFloats(new float[] {5}));              // another dtype
        tensors.put("2.weight", TensorData.ofFloats(new float[3000], 60, 50));                  // an alias before
        ModelState changed = new ModelState("net", "{}", true, null, Map.of("0.weight", true), tensors, null);
        store.commit("m1", 1, changed, TensorChanges.of(Map.of()), CREATE);
        assertSameState(store.load("m1").orElseThrow().state(), changed);

        // another chunk size: 0.weight's 12000 bytes in two chunks of 8192 now, the small tensors as before
        JdbcModelStore larger = new JdbcModelStore(dataSource,
                new StoreProperties(HISTORY_LIMIT, org.springframework.util.unit.DataSize.ofBytes(8192), Duration.ofHours(24)), clock, INSTANCE);
        larger.commit("m1", 2, changed, TensorChanges.of(Map.of()), CREATE);
        assertSameState(larger.load("m1").orElseThrow().state(), changed);
        assertSameState(store.load("m1").orElseThrow().state(), changed);
        assertThat(chunksByKey("m1").get("0.weight")).hasSize(2);
    }

    /** Checkpoints keep what they reference while commits take and drop chunks of the versions between them. */
    @Test
    void checkpointsAndSweepsKeepWhatTheyReferenceAcrossPartialCommits() {
        ModelState state = StoreFixtures.state("net", 1);
        create("m1", state);
        List<ModelState> versions = new ArrayList<>();
        for (int version = 1; version <= 6; version++) {
            float[] weight = state.stateDict().get("0.weight").floats();
            int element = (version * 1237) % weight.length;
            weight[element] = -weight[element] + version;
            ModelState next = new ModelState("net", state.specJson(), state.training(), state.generatorState(), state.requiresGrad(),
                    copyOf(state.stateDict()), state.optimizerJson());
            store.commit("m1", version, state, TensorChanges.of(Map.of("0.weight", new TensorChanges.Some(new int[] {element}))),
                    new Change("alice", "parameter.patch", "element " + element));
            versions.add(next);
            if (version % 2 == 0) {
                store.createCheckpoint("m1", "v" + (version + 1), null);
            }
        }
        assertThat(store.deleteCheckpoint("m1", "v5")).isTrue();
        assertSameState(store.load("m1").orElseThrow().state(), versions.get(5));
        assertSameState(store.loadCheckpointState("m1", "v3").orElseThrow(), versions.get(1));
        assertSameState(store.loadCheckpointState("m1", "v7").orElseThrow(), versions.get(5));
        assertThat(store.reclaimUnreferencedChunks()).as("nothing left behind").isZero();
        // every chunk row is referenced and every reference has its chunk
        assertThat(jdbc.sql("SELECT COUNT(*) FROM tensor_chunk t WHERE NOT EXISTS (SELECT 1 FROM chunk c WHERE c.digest = t.digest)")
                .query(Long.class).single()).isZero();
    }

    private static Map<String, TensorData> copyOf(Map<String, TensorData> stateDict) {
        Map<String, TensorData> copy = new LinkedHashMap<>();
        Map<Object, TensorData> copies = new java.util.IdentityHashMap<>();
        stateDict.forEach((key, tensor) -> copy.put(key, copies.computeIfAbsent(tensor.isFloat() ? tensor.floats() : tensor.longs(),
                storage -> tensor.copy())));
        return copy;
    }

    /** The optimizer's state bytes beside its text, through commits and a checkpoint; a text-only record (as stored before) stays one. */
    @Test
    void optimizerStateBytesRoundTripBesideTheTextAndATextOnlyRecordStaysOne() {
        ModelState base = StoreFixtures.state("net", 1);
        byte[] bytes = new byte[70_000];   // over a 64 KiB page
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 8));
        }
        ModelState withBytes = new ModelState(base.name(), base.specJson(), base.training(), base.generatorState(), base.requiresGrad(),
                base.stateDict(), "{\"spec\":{\"type\":\"Adam\"},\"step_count\":3}", bytes);
        create("m1", withBytes);
        assertSameState(store.load("m1").orElseThrow().state(), withBytes);
        Checkpoint checkpoint = store.createCheckpoint("m1", "with-bytes", null);

        ModelState textOnly = new ModelState(base.name(), base.specJson(), base.training(), base.generatorState(), base.requiresGrad(),
                base.stateDict(), "{\"spec\":{\"type\":\"Adam\"},\"state\":\"AAAA\",\"step_count\":3}");
        store.commit("m1", 1, textOnly, CREATE);
        assertThat(store.load("m1").orElseThrow().state().optimizerState()).isNull();
        assertSameState(store.load("m1").orElseThrow().state(), textOnly);
        assertSameState(store.loadCheckpointState("m1", checkpoint.id()).orElseThrow(), withBytes);
    }

    @Test
    void commitReclaimsTheChunksOnlyTheOldVersionUsed() {
        create("m1", StoreFixtures.state("net", 1));
        long chunks = chunkRows();
        for (int version = 2; version <= 4; version++) {
            store.commit("m1", version - 1, StoreFixtures.state("net", version), CREATE);
        }
        assertThat(chunkRows()).isEqualTo(chunks);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM state").query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void deleteTakesCheckpointsHistoryAndUnsharedChunks() {
        create("m1", StoreFixtures.state("net", 1));
        create("m2", StoreFixtures.state("other", 1));   // the same tensors: every chunk shared
        store.createCheckpoint("m1", "a", null);
        store.commit("m1", 1, StoreFixtures.state("net", 2), CREATE);
        Set<String> shared = chunkDigests();

        assertThat(store.delete("m1")).isTrue();
        assertThat(store.delete("m1")).isFalse();
        assertThat(store.load("m1")).isEmpty();
        assertThat(store.history("m1", 10)).isEmpty();
        assertThat(store.listCheckpoints("m1")).isEmpty();
        Set<String> left = chunkDigests();
        assertThat(left).isNotEmpty().isSubsetOf(shared);
        assertSameState(store.load("m2").orElseThrow().state(), StoreFixtures.state("other", 1));

        assertThat(store.delete("m2")).isTrue();
        assertThat(chunkRows()).isZero();
        for (String table : List.of("state", "state_tensor", "tensor_chunk", "history", "checkpoint", "model")) {
            assertThat(jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single()).as(table).isZero();
        }
    }

    /**
     * A delete that starts while a commit of the same model is in its transaction: whichever order the database
     * puts them in, no row of either state is left (on PostgreSQL the delete used to read the old state, wait on
     * the commit's row lock, then delete the model and the old state and orphan the commit's new one).
     */
    @Test
    void aDeleteRacingACommitLeavesNoRowsOfEitherState() throws Exception {
        create("m1", StoreFixtures.state("net", 1));
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Change held = new Change("alice", "patch", "held", () -> {
            inCommit.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<ModelSummary> commit = threads.submit(() -> store.commit("m1", 1, StoreFixtures.state("net", 2), held));
            assertThat(inCommit.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> delete = threads.submit(() -> store.delete("m1"));
            untilAWriterWaits();
            release.countDown();
            assertThat(commit.get(30, TimeUnit.SECONDS).version()).isEqualTo(2);
            assertThat(delete.get(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertThat(store.load("m1")).isEmpty();
        for (String table : List.of("state", "state_tensor", "tensor_chunk", "chunk", "history", "model")) {
            assertThat(jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single()).as(table).isZero();
        }
    }

    /** Returns once another thread's statement waits behind a transaction this test holds open. */
    protected abstract void untilAWriterWaits() throws InterruptedException;

    @Test
    void listPagesByCreationTimeThenId() {
        List<String> expected = new ArrayList<>();
        for (String id : List.of("c", "a", "b")) {   // one instant: the id breaks the tie
            create(id, StoreFixtures.state(id, 1));
        }
        expected.addAll(List.of("a", "b", "c"));
        clock.advance(Duration.ofMillis(1));
        for (String id : List.of("e", "d")) {
            clock.advance(Duration.ofMillis(1));
            create(id, StoreFixtures.state(id, 1));
            expected.add(id);
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<ModelSummary> page = store.list(2, cursor);
            page.items().forEach(model -> seen.add(model.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
        assertThat(store.list(5, null).nextCursor()).isNull();
        assertThat(store.count()).isEqualTo(5);
        assertThatThrownBy(() -> store.list(2, "not-a-cursor")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idempotentAnswerIsKeptForADay() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Location", List.of("/models/m1"));
        headers.put("Vary", List.of("Accept", "Origin"));
        byte[] body = "{\"id\":\"m1\"}".getBytes(StandardCharsets.UTF_8);
        IdempotencyClaim.Claimed claim = (IdempotencyClaim.Claimed) store.claimIdempotent("key-1", "sha256:abc");
        store.keepIdempotent("key-1", claim, "sha256:abc", 201, headers, body);

        IdempotentResponse kept = ((IdempotencyClaim.Kept) store.claimIdempotent("key-1", "sha256:other")).answer();
        assertThat(kept.requestHash()).isEqualTo("sha256:abc");
        assertThat(kept.status()).isEqualTo(201);
        assertThat(kept.headers()).containsExactlyEntriesOf(headers);
        assertThat(kept.body()).isEqualTo(body);
        IdempotencyClaim.Claimed other = (IdempotencyClaim.Claimed) store.claimIdempotent("key-2", "h");
        store.releaseIdempotent("key-2", other);

        clock.advance(Duration.ofHours(24).plusSeconds(1));
        IdempotencyClaim.Claimed again = (IdempotencyClaim.Claimed) store.claimIdempotent("key-1", "sha256:abc");
        store.releaseIdempotent("key-1", again);
        IdempotencyClaim.Claimed third = (IdempotencyClaim.Claimed) store.claimIdempotent("key-3", "h");
        store.keepIdempotent("key-3", third, "h", 200, Map.of(), new byte[0]);
        IdempotencyClaim.Claimed old = (IdempotencyClaim.Claimed) store.claimIdempotent("key-4", "h");
        store.keepIdempotent("key-4", old, "h", 200, Map.of(), new byte[0]);
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        IdempotencyClaim.Claimed fifth = (IdempotencyClaim.Claimed) store.claimIdempotent("key-5", "h");
        store.keepIdempotent("key-5", fifth, "h", 200, Map.of(), new byte[0]);   // and expired answers go
        assertThat(jdbc.sql("SELECT idem_key FROM idempotency").query(String.class).list()).containsExactly("key-5");
    }

    /**
     * An Idempotency-Key is claimed by a row inserted first: of two claims (two requests, or two instances of a
     * shared store) one wins and the other finds it running (with its request's hash, when known), then its kept
     * answer; a dead instance's claim is taken over, and its late answer is refused; so is a claim of this
     * instance that no request of it holds any more (its release did not reach the store).
     */
    @Test
    void anIdempotencyKeyIsClaimedOnceAcrossInstances() {
        JdbcModelStore other = new JdbcModelStore(dataSource, StoreFixtures.properties(HISTORY_LIMIT), clock, "other");
        for (String instance : List.of(INSTANCE, "other")) {   // both alive for good, by the database's clock
            jdbc.sql("INSERT INTO instance (id, url, started_at, expires_at) VALUES (?, ?, 0, ?)")
                    .params(instance, "http://" + instance, Long.MAX_VALUE).update();
        }
        String hash = "a".repeat(64);
        IdempotencyClaim first = store.claimIdempotent("key-1", hash);
        assertThat(first).isInstanceOf(IdempotencyClaim.Claimed.class);
        assertThat(((IdempotencyClaim.Claimed) first).token()).hasSizeLessThanOrEqualTo(128);   // the column's width
        IdempotencyClaim.Running here = (IdempotencyClaim.Running) store.claimIdempotent("key-1", hash);
        assertThat(here.requestHash()).as("a second request here finds the first's hash").isEqualTo(hash);
        assertThat(here.isOther(hash)).isFalse();
        IdempotencyClaim.Running there = (IdempotencyClaim.Running) other.claimIdempotent("key-1", "b".repeat(64));
        assertThat(there.isOther("b".repeat(64))).as("another request, on another live instance").isTrue();
        assertThat(((IdempotencyClaim.Running) other.claimIdempotent("key-1", null)).isOther(null)).as("not known").isFalse();

        byte[] body = "{\"id\":\"sd1\"}".getBytes(StandardCharsets.UTF_8);
        store.keepIdempotent("key-1", (IdempotencyClaim.Claimed) first, "sha256:abc", 201, Map.of("Location", List.of("/sd1")), body);
        store.releaseIdempotent("key-1", (IdempotencyClaim.Claimed) first);   // after a keep: the answer stays
        IdempotencyClaim repeat = other.claimIdempotent("key-1", null);
        assertThat(repeat).isInstanceOf(IdempotencyClaim.Kept.class);
        IdempotentResponse kept = ((IdempotencyClaim.Kept) repeat).answer();
        assertThat(kept.inProgress()).isFalse();
        assertThat(kept.requestHash()).isEqualTo("sha256:abc");
        assertThat(kept.status()).isEqualTo(201);
        assertThat(kept.body()).isEqualTo(body);

        // a released claim frees the key
        IdempotencyClaim.Claimed failed = (IdempotencyClaim.Claimed) other.claimIdempotent("key-2", null);
        other.releaseIdempotent("key-2", failed);
        assertThat(store.claimIdempotent("key-2", null)).isInstanceOf(IdempotencyClaim.Claimed.class);

        // the claimer dies (its heartbeat expires): its claim is taken over, and its late answer is not kept
        IdempotencyClaim.Claimed dying = (IdempotencyClaim.Claimed) other.claimIdempotent("key-3", hash);
        jdbc.sql("UPDATE instance SET expires_at = 0 WHERE id = 'other'").update();
        IdempotencyClaim.Claimed taken = (IdempotencyClaim.Claimed) store.claimIdempotent("key-3", hash);
        assertThatThrownBy(() -> other.keepIdempotent("key-3", dying, "sha256:late", 201, Map.of(), body))
                .isInstanceOf(IdempotencyClaimLostException.class);
        other.releaseIdempotent("key-3", dying);   // a no-op: the claim is not its any more
        store.keepIdempotent("key-3", taken, "sha256:new", 201, Map.of(), body);
        assertThat(((IdempotencyClaim.Kept) other.claimIdempotent("key-3", null)).answer().requestHash()).isEqualTo("sha256:new");

        // a claim of this instance that none of its requests holds (a release that failed, a process that
        // restarted under the same id) does not block the key while this instance lives
        jdbc.sql("INSERT INTO idempotency (idem_key, request_hash, status, headers, body, created_at) VALUES (?, ?, 0, '', NULL, 0)")
                .params("key-4", "claim " + INSTANCE + " 0123456789abcdef " + hash).update();
        assertThat(store.claimIdempotent("key-4", hash)).isInstanceOf(IdempotencyClaim.Claimed.class);

        // a kept answer past the window is gone: the key can be claimed again
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        assertThat(other.claimIdempotent("key-1", null)).isInstanceOf(IdempotencyClaim.Claimed.class);
    }

    @Test
    void reclaimAllRemovesOrphanChunks() {
        create("m1", StoreFixtures.state("net", 1));
        long chunks = chunkRows();
        jdbc.sql("INSERT INTO chunk (digest, size, data) VALUES (?, ?, ?)")
                .params("0".repeat(64), 1, new byte[] {7}).update();
        assertThat(store.reclaimUnreferencedChunks()).isEqualTo(1);
        assertThat(chunkRows()).isEqualTo(chunks);
        assertThat(chunkDigests().stream().map(d -> d.length()).collect(Collectors.toSet())).containsExactly(64);
    }
}
