package io.paramlab.model;

import io.paramlab.nn.TensorData;
import io.paramlab.spec.LimitExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRegistryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode linear(int in, int out) {
        return JSON.readTree("{\"model\": {\"type\": \"Linear\", \"in_features\": " + in + ", \"out_features\": " + out + "}}");
    }

    @TempDir
    Path dataDir;

    /** These tests act as the service itself: outside a request nobody may change anything (ModelRegistryTest's last test). */
    @org.junit.jupiter.api.BeforeEach
    void actAsTheService() {
        RequestContext.set(RequestContext.SERVICE);
    }

    @org.junit.jupiter.api.AfterEach
    void leave() {
        RequestContext.clear();
    }

    private ModelRegistry registry(long perModel, long total, int models) {
        return new ModelRegistry(Stores.limits(perModel, total, models, 1_000_000), Stores.sqlite(dataDir), dataDir);
    }

    @Test
    void theModelCountIsEnforcedAndMemoryIsACacheUnderTheBudget() {
        ModelRegistry registry = registry(1000, 100, 3);
        ModelOperations operations = new ModelOperations(registry, Stores.limits(1000, 100, 3, 1_000_000));
        LiveModel first = registry.create(linear(4, 8));          // 40 parameters
        LiveModel second = registry.create(linear(4, 8));         // 80 held
        operations.backward(first.id(), TensorData.ofFloats(new float[] {1, 2, 3, 4}, 1, 4), null, Loss.SUM);   // +40 of gradients
        assertThat(registry.parametersHeld()).isEqualTo(120 - 40);   // over 100 with the gradients: second was evicted
        assertThat(second.isLoaded()).isFalse();
        assertThatThrownBy(() -> registry.create(linear(10, 10)))   // 110 alone passes 100
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("the limit of 100");
        LiveModel third = registry.create(linear(2, 2));
        assertThatThrownBy(() -> registry.create(linear(2, 2)))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("already holds 3 models");
        registry.delete(third.id());
        // second comes back from the store, evicting first, whose gradients are spilled and come back too
        assertThat(second.read(() -> second.root().stateDict().keySet())).containsExactly("weight", "bias");
        registry.create(linear(7, 7));   // evicts first, whose gradients are spilled
        assertThat(first.isLoaded()).isFalse();
        float[] grad = first.read(() -> first.root().namedParameters().get("weight").grad());
        assertThat(grad).containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
        assertThat(registry.modelCount()).isEqualTo(3);
    }

    @Test
    void deletingReleasesExactlyWhatAModelReserved() {
        ModelRegistry registry = registry(100_000, 100_000, 10);
        long before = registry.parametersHeld();
        for (int i = 0; i < 3; i++) {
            // an unused shared entry is built and dropped: it holds nothing once the model exists
            LiveModel m = registry.create(JSON.readTree("{\"shared\": {\"unused\": {\"type\": \"Linear\", \"in_features\": 100, "
                    + "\"out_features\": 100}}, \"model\": {\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 8}}"));
            assertThat(registry.parametersHeld()).isEqualTo(before + 40);
            registry.delete(m.id());
            assertThat(registry.parametersHeld()).isEqualTo(before);
        }
    }

    /** An unused shared entry is built (it draws) but not held: the budget gets back exactly what the model holds. */
    @Test
    void createAndDeleteCyclesWithAnUnusedSharedLinearLeaveTheBudgetWhereItStarted() {
        ModelRegistry registry = registry(50_000_000, 50_000_000, 10);
        JsonNode unusedShared = JSON.readTree("""
                {"shared": {"big": {"type": "Linear", "in_features": 7000, "out_features": 7000}},
                 "model": {"type": "Linear", "in_features": 4, "out_features": 2}}""");
        long before = registry.parametersHeld();
        for (int cycle = 0; cycle < 3; cycle++) {
            LiveModel model = registry.create(unusedShared);
            assertThat(registry.parametersHeld()).as("held after create %d", cycle).isEqualTo(before + 10);
            registry.delete(model.id());
            assertThat(registry.parametersHeld()).as("held after delete %d", cycle).isEqualTo(before);
        }
        assertThat(registry.modelCount()).isZero();
        assertThat(registry.create(linear(7000, 7000)).parameterCount()).isEqualTo(7000L * 7000 + 7000);
    }

    /** A change that commits after its model was deleted (a lazy forward racing a DELETE) must not reserve it again. */
    @Test
    void aChangeCommittedAfterDeleteReservesNothing() throws Exception {
        ModelRegistry registry = registry(1000, 1000, 10);
        LiveModel lazy = registry.create(JSON.readTree("{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 2}}"));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch deleted = new CountDownLatch(1);
        CompletableFuture<Object> change = CompletableFuture.supplyAsync(Stores.asService(() -> lazy.change("forward", Footprint.FORWARD, () -> {
            inside.countDown();
            try {
                deleted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return lazy.root().forward(io.paramlab.tensor.Tensor.of(new float[3], new int[] {1, 3}));   // materializes 8 elements
        })));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        registry.delete(lazy.id());
        deleted.countDown();
        // the store has no model to commit to any more: the change is refused and rolled back, and reserves nothing
        assertThatThrownBy(() -> change.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(NotFoundException.class);
        assertThat(registry.parametersHeld()).isZero();
    }

    @Test
    void aWriteOnOneModelNeverHoldsUpReadsOfAnother() throws Exception {
        ModelRegistry registry = registry(1000, 10_000, 10);
        LiveModel busy = registry.create(linear(4, 8));
        LiveModel other = registry.create(linear(4, 8));
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> writer = CompletableFuture.supplyAsync(Stores.asService(() -> busy.change("test", Footprint.METADATA, () -> {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        })));
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
        // the model list (GET /models) reads names and counts without the lock: it never waits on a write
        assertThat(CompletableFuture.supplyAsync(() -> registry.list(100, null).items().stream().map(m -> m.name() + m.parameterCount()).toList())
                .get(5, TimeUnit.SECONDS)).hasSize(2);
        // the other model answers while the busy one is locked for writing
        assertThat(CompletableFuture.supplyAsync(() -> other.read(() -> other.root().stateDict())).get(5, TimeUnit.SECONDS)).isNotEmpty();
        // a read of the busy model waits for the write to finish
        CompletableFuture<?> blockedRead = CompletableFuture.supplyAsync(() -> busy.read(() -> busy.root().repr()));
        Thread.sleep(200);
        assertThat(blockedRead).isNotDone();
        release.countDown();
        writer.get(5, TimeUnit.SECONDS);
        assertThat(blockedRead.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    /**
     * The optimizer's step_count survives a restart of the store: the embedded database closed and opened
     * again, a new registry over it, and the model loaded from it counts on from where it was.
     */
    @Test
    void theOptimizersStepCountSurvivesARestartOfTheStore() {
        ParamlabLimits limits = Stores.limits(1000, 10_000, 10, 1_000_000);
        String id;
        try (io.paramlab.store.EmbeddedDatabase database = Stores.open(dataDir)) {
            ModelRegistry registry = new ModelRegistry(limits, Stores.store(database), dataDir);
            TrainingOperations training = new TrainingOperations(registry, limits);
            id = registry.create(linear(4, 2)).id();
            training.setOptimizer(id, java.util.Map.of("type", "Adam", "lr", 0.01));
            for (int i = 0; i < 3; i++) {
                training.trainStep(id, TensorData.ofFloats(new float[] {1, 2, 3, 4}, 1, 4), TensorData.ofFloats(new float[] {1, 0}, 1, 2),
                        Loss.MSE);
            }
            assertThat(training.describe(id).get("step_count")).isEqualTo(3L);
        }
        try (io.paramlab.store.EmbeddedDatabase database = Stores.open(dataDir)) {
            ModelRegistry registry = new ModelRegistry(limits, Stores.store(database), dataDir);
            TrainingOperations training = new TrainingOperations(registry, limits);
            assertThat(training.describe(id).get("step_count")).as("after the restart").isEqualTo(3L);
            training.trainStep(id, TensorData.ofFloats(new float[] {1, 2, 3, 4}, 1, 4), TensorData.ofFloats(new float[] {1, 0}, 1, 2),
                    Loss.MSE);
            assertThat(training.describe(id).get("step_count")).isEqualTo(4L);
        }
    }

    /** Issue #23 item 4: a reload refused by the budget changes nothing: the spilled gradients stay, nothing stays reserved. */
    @Test
    void aReloadRefusedByTheBudgetKeepsTheSpillAndReservesNothing() throws Exception {
        ModelRegistry registry = registry(1000, 100, 10);
        ModelOperations operations = new ModelOperations(registry, Stores.limits(1000, 100, 10, 1_000_000));
        LiveModel trained = registry.create(linear(4, 8));   // 40 parameters
        operations.backward(trained.id(), TensorData.ofFloats(new float[] {1, 2, 3, 4}, 1, 4), null, Loss.SUM);   // + 40 gradients
        float[] gradBefore = trained.read(() -> trained.root().namedParameters().get("weight").grad().clone());
        LiveModel busy = registry.create(linear(5, 10));   // 60: evicts trained, whose gradients are spilled
        assertThat(trained.isLoaded()).isFalse();
        long held = registry.parametersHeld();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> writer = CompletableFuture.supplyAsync(Stores.asService(() -> busy.change("test", Footprint.METADATA, () -> {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        })));
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();
        // busy cannot be evicted while it is changed: 60 + 40 parameters + 40 gradients do not fit in 100
        assertThatThrownBy(() -> trained.read(() -> trained.root().repr()))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("max-total-parameters");
        assertThat(registry.parametersHeld()).isEqualTo(held);
        assertThat(trained.isLoaded()).isFalse();
        release.countDown();
        writer.get(5, TimeUnit.SECONDS);
        // once busy is idle it is evicted, and the trained model comes back with its gradients
        assertThat(trained.read(() -> trained.root().namedParameters().get("weight").grad())).containsExactly(gradBefore);
        assertThat(registry.parametersHeld()).isEqualTo(80);
    }

    /** Issue #23 item 5: a fork whose optimizer record cannot be read is refused and gives back what it reserved. */
    @Test
    void aForkWhoseOptimizerRecordFailsReservesNothing() {
        ModelRegistry registry = registry(1000, 1000, 10);
        LiveModel source = registry.create(linear(4, 8));
        long held = registry.parametersHeld();
        io.paramlab.store.ModelState state = source.read(() -> ModelRegistry.durableState(source));
        io.paramlab.store.ModelState broken = new io.paramlab.store.ModelState(state.name(), state.specJson(), state.training(),
                state.generatorState(), state.requiresGrad(), state.stateDict(),
                "{\"spec\": {\"type\": \"SGD\", \"lr\": 0.1}, \"state\": \"AAAA\"}");
        assertThatThrownBy(() -> registry.fork(broken, "fork", null)).isInstanceOf(RuntimeException.class);
        assertThat(registry.parametersHeld()).isEqualTo(held);
        assertThat(registry.modelCount()).isEqualTo(1);
    }

    /** Issue #23 item 5: a get racing a create (the model is in the store, not yet returned) meets the created handle. */
    @Test
    void aGetDuringCreateMeetsTheSameHandle() throws Exception {
        java.util.concurrent.atomic.AtomicReference<ModelRegistry> registryRef = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<LiveModel> seen = new java.util.concurrent.atomic.AtomicReference<>();
        io.paramlab.store.ModelStore sqlite = Stores.sqlite(dataDir);
        // a store whose create is answered only after another thread looked the new model up by its id
        io.paramlab.store.ModelStore store = (io.paramlab.store.ModelStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.paramlab.store.ModelStore.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(sqlite, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("create")) {
                        String id = ((io.paramlab.store.ModelRecord) args[0]).id();
                        seen.set(CompletableFuture.supplyAsync(() -> registryRef.get().get(id)).get(5, TimeUnit.SECONDS));
                    }
                    return result;
                });
        ModelRegistry registry = new ModelRegistry(Stores.limits(1000, 1000, 10, 1_000_000), store, dataDir);
        registryRef.set(registry);
        LiveModel created = registry.create(linear(4, 8));
        assertThat(seen.get()).isSameAs(created);
        assertThat(registry.get(created.id())).isSameAs(created);
    }

    /**
     * Issue #23 item 5: evictions sort models by when they were last used while readers keep using them;
     * many models, readers on real threads and creates that evict, for a bounded time: no sort may break.
     */
    @Test
    void evictionsWhileReadersTouchModelsNeverBreakTheSort() throws Exception {
        ModelRegistry registry = registry(1000, 4_000, 1000);
        List<LiveModel> models = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 190; i++) {
            models.add(registry.create(linear(4, 4)));   // 20 each: 3800 of 4000
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<CompletableFuture<Void>> readers = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(CompletableFuture.runAsync(() -> {
                java.util.Random random = new java.util.Random();
                while (!stop.get()) {
                    LiveModel m = models.get(random.nextInt(models.size()));
                    m.read(() -> m.root().repr());
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            int created = 0;
            while (System.nanoTime() < end && created < 600) {
                LiveModel m = registry.create(linear(4, 4));   // needs room: evicts the least recently used
                registry.delete(m.id());
                created++;
            }
        } finally {
            stop.set(true);
        }
        for (CompletableFuture<Void> reader : readers) {
            reader.get(10, TimeUnit.SECONDS);
        }
        assertThat(registry.parametersHeld()).isLessThanOrEqualTo(4_000);
    }

    /**
     * Issue #23 item 6: a parameter PATCH racing evictions (real threads, a bounded loop) lands on the
     * model's live tensor: each write is read back, and the store has the last one.
     */
    @Test
    void aParameterPatchRacingEvictionsIsNeverLost() throws Exception {
        ModelRegistry registry = registry(1000, 70, 10);
        ModelOperations operations = new ModelOperations(registry, Stores.limits(1000, 70, 10, 1_000_000));
        LiveModel patched = registry.create(linear(4, 8));   // 40: it and the other do not fit together
        LiveModel other = registry.create(linear(4, 8));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> evicting = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                try {
                    other.read(() -> other.root().repr());   // loads the other model, evicting the patched one when idle
                } catch (LimitExceededException busy) {
                    // the patched model was in a change: it could not be evicted
                }
            }
        }, java.util.concurrent.Executors.newSingleThreadExecutor());
        int lost = 0;
        int written = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        try {
            for (int i = 1; i <= 3000 && System.nanoTime() < end; i++) {
                try {
                    operations.patchParameter(patched.id(), "weight",
                            new ModelOperations.ParameterPatch(new int[] {0, 0}, (float) i, null, null));
                    written++;
                    float now = patched.read(() -> patched.root().namedParameters().get("weight").data()[0]);
                    if (now != i) {
                        lost++;
                    }
                } catch (LimitExceededException busy) {
                    // the other model was being loaded: the patched one could not come back now
                }
            }
        } finally {
            stop.set(true);
        }
        evicting.get(10, TimeUnit.SECONDS);
        assertThat(written).isPositive();
        assertThat(lost).as("of %d writes, lost to an eviction between the lookup and the change", written).isZero();
    }

    /**
     * Issue #23 item 3: a LazyLinear's first forward is charged before its weight is allocated: a weight
     * of 40000 x 40000 (6.4 GB) is refused by max-parameters-per-model, not an OutOfMemoryError.
     */
    @Test
    void aLazyLayersFirstForwardIsChargedBeforeItsWeightIsAllocated() {
        ModelRegistry registry = registry(1_000_000, 2_000_000, 10);
        ModelOperations operations = new ModelOperations(registry, Stores.limits(1_000_000, 2_000_000, 10, 100_000_000));
        LiveModel lazy = registry.create(JSON.readTree("{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 40000}}"));
        long held = registry.parametersHeld();
        assertThatThrownBy(() -> operations.forward(lazy.id(), "", TensorData.ofFloats(new float[40000], 1, 40000)))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("max-parameters-per-model");
        assertThat(registry.parametersHeld()).isEqualTo(held);
        assertThat(lazy.read(() -> lazy.root().anyUninitializedParameters())).isTrue();
        // one that fits is charged to the model as it materializes
        TensorData out = operations.forward(lazy.id(), "", TensorData.ofFloats(new float[20], 1, 20));
        assertThat(out.shape()).containsExactly(1, 40000);
        assertThat(registry.parametersHeld()).isEqualTo(held + 40000L * 20 + 40000);   // weight and bias
    }

    /** Issue #23 item 3: a transaction's copies are charged to the budget in flight before they are made, and given back after. */
    @Test
    void aTransactionsCopiesAreChargedBeforeTheyAreMade() {
        ModelRegistry registry = registry(1_000_000, 2_000_000, 10);
        ModelOperations operations = new ModelOperations(registry, Stores.limits(1_000_000, 2_000_000, 10, 100_000));
        LiveModel model = registry.create(linear(100, 100));   // 10,100 values: a copy of all is over 5,000
        io.paramlab.tensor.Allocation.limitInFlight(5_000);
        try {
            assertThatThrownBy(() -> model.change("init", Footprint.INIT, () -> null))
                    .isInstanceOf(io.paramlab.tensor.TensorTooLargeException.InFlight.class);
            assertThat(io.paramlab.tensor.Allocation.inFlight()).isZero();
            assertThat(model.change("bias", Footprint.parameter(model.read(() -> model.root().namedParameters().get("bias"))),
                    () -> "one parameter's copy fits")).isNotNull();
            assertThat(io.paramlab.tensor.Allocation.inFlight()).isZero();
        } finally {
            io.paramlab.tensor.Allocation.limitInFlight(Long.MAX_VALUE);
        }
        assertThat(operations).isNotNull();
    }
}
