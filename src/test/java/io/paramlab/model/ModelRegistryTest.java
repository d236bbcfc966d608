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
}
