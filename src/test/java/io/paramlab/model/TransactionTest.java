package io.paramlab.model;

import io.paramlab.nn.InitRule;
import io.paramlab.nn.TensorData;
import io.paramlab.init.InitPolicy;
import io.paramlab.spec.InitSpec;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.TensorTooLargeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import tools.jackson.databind.json.JsonMapper;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every kind of write through the one transaction primitive, failing part-way (with an exception
 * or an Error): afterwards the model is exactly as before, values, gradients, buffers, generator,
 * mode, name and lazy layers alike.
 */
class TransactionTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SPEC = """
            {"name": "t", "seed": 3, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "BatchNorm1d", "num_features": 8},
              {"type": "Dropout", "p": 0.5}, {"type": "LazyLinear", "out_features": 2}]}}""";

    @TempDir
    static Path dataDir;
    private static ModelRegistry registry;
    private static ModelOperations operations;
    private static TrainingOperations training;

    @BeforeAll
    static void start() {
        ParamlabLimits limits = Stores.limits(1_000_000, 10_000_000, 100, 10_000);
        registry = new ModelRegistry(limits, Stores.sqlite(dataDir), dataDir);
        operations = new ModelOperations(registry, limits);
        training = new TrainingOperations(registry, limits);
    }

    @org.junit.jupiter.api.BeforeEach
    void actAsTheService() {
        RequestContext.set(RequestContext.SERVICE);
    }

    @org.junit.jupiter.api.AfterEach
    void leave() {
        RequestContext.clear();
    }

    /** Everything a client could read back, copied. */
    private record State(Map<String, List<Float>> values, Map<String, List<Float>> grads, long nextDraw, boolean training,
                         String name, String repr, long held, long version) {
    }

    private State state(LiveModel m) {
        return m.read(() -> {
            Map<String, List<Float>> values = new LinkedHashMap<>();
            m.root().stateDict().forEach((k, v) -> values.put(k, floats(v)));
            Map<String, List<Float>> grads = new LinkedHashMap<>();
            m.root().namedParameters().forEach((k, p) -> grads.put(k, p.grad() == null ? null : floats(TensorData.ofFloats(p.grad()))));
            long draw = m.generator().copy().nextUint64();   // the generator's position, without moving it
            return new State(values, grads, draw, m.root().isTraining(), m.name(), m.root().repr(), registry.parametersHeld(),
                    m.version());
        });
    }

    private static List<Float> floats(TensorData t) {
        if (!t.isFloat()) {
            return Arrays.stream(t.longs()).mapToObj(l -> (float) l).toList();
        }
        Float[] out = new Float[t.floats().length];
        for (int i = 0; i < out.length; i++) out[i] = t.floats()[i];
        return List.of(out);
    }

    private LiveModel trained() {
        LiveModel m = registry.create(JSON.readTree(SPEC));
        operations.backward(m.id(), input(4, 4), null, Loss.SUM);   // materializes the lazy layer, fills grads, moves BN and the generator
        return m;
    }

    private static TensorData input(int rows, int columns) {
        float[] x = new float[rows * columns];
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) - 3;
        return TensorData.ofFloats(x, rows, columns);
    }

    /** The optimizer as a client reads it back: which one (by identity), its description, its state dict, the update ratios. */
    private record OptimizerState(Object setup, Object described, Object stateDict, Map<String, Double> ratios) {
    }

    private OptimizerState optimizerState(LiveModel m) {
        return m.read(() -> {
            Map<String, Double> ratios = new LinkedHashMap<>();
            m.root().namedParameters().forEach((k, p) -> ratios.put(k, m.updateRatio(p)));
            var setup = m.optimizer();
            return new OptimizerState(setup, setup == null ? null : setup.describe(),
                    setup == null ? null : plain(setup.optimizer().stateDict()), ratios);
        });
    }

    /** Tensors as lists of floats, so that equals compares values. */
    private static Object plain(Object v) {
        if (v instanceof TensorData t) {
            return floats(t);
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(k, plain(x)));
            return out;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(TransactionTest::plain).toList();
        }
        return v;
    }

    private static Map<String, Object> spec(String json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = JSON.readValue(json, Map.class);
        return spec;
    }

    /** A model with Adam (amsgrad) and StepLR after two steps: state in every array, a moved lr, update ratios. */
    private LiveModel withAdam() {
        LiveModel m = trained();
        training.setOptimizer(m.id(), spec("""
                {"type": "Adam", "lr": 0.01, "amsgrad": true, "scheduler": {"type": "StepLR", "step_size": 1, "gamma": 0.5}}"""));
        training.step(m.id());
        training.schedulerStep(m.id());
        training.step(m.id());
        return m;
    }

    @Test
    void aStepFailingAfterItRanPutsTheOptimizerAndSchedulerStateBack() {
        LiveModel m = withAdam();
        State before = state(m);
        OptimizerState optimizerBefore = optimizerState(m);
        assertThatThrownBy(() -> m.change("optimizer.step", Footprint.STEP, () -> {
            m.optimizer().optimizer().step();           // moments, amsgrad's maximum, step, step_count...
            m.optimizer().scheduler().step();           // ...the lr and last_epoch...
            m.recordUpdateRatios(Map.of());             // ...and the ratios all move
            throw new OutOfMemoryError("Java heap space");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(state(m)).isEqualTo(before);
        assertThat(optimizerState(m)).isEqualTo(optimizerBefore);
    }

    @Test
    void aTrainStepFailingInItsLossKeepsGradsAndOptimizer() {
        LiveModel m = withAdam();
        State before = state(m);
        OptimizerState optimizerBefore = optimizerState(m);
        assertThatThrownBy(() -> training.trainStep(m.id(), input(4, 4), TensorData.ofFloats(new float[3], 3), Loss.MSE))
                .isInstanceOf(RuntimeException.class);
        assertThat(state(m)).isEqualTo(before);
        assertThat(optimizerState(m)).isEqualTo(optimizerBefore);
    }

    @Test
    void aReplacedOrDeletedOptimizerComesBackWhenTheChangeFails() {
        LiveModel m = withAdam();
        OptimizerState optimizerBefore = optimizerState(m);
        assertThatThrownBy(() -> m.change("optimizer.set", Footprint.OPTIMIZER, () -> {
            m.setOptimizer(null);
            throw new StackOverflowError();
        })).isInstanceOf(StackOverflowError.class);
        assertThat(optimizerState(m)).isEqualTo(optimizerBefore);
        assertThat(optimizerState(m).setup()).isSameAs(optimizerBefore.setup());
    }

    @Test
    void aFirstAdamStepOverTheBudgetLeavesNoOptimizerState() {
        Path dir = dataDir.resolve("adam");
        ParamlabLimits limits = Stores.limits(1_000_000, 100, 10, 1_000_000);
        ModelRegistry small = new ModelRegistry(limits, Stores.sqlite(dir), dir);
        LiveModel m = small.create(JSON.readTree("{\"model\": {\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 8}}"));
        new ModelOperations(small, limits).backward(m.id(), input(2, 4), null, Loss.SUM);
        TrainingOperations ops = new TrainingOperations(small, limits);
        ops.setOptimizer(m.id(), spec("{\"type\": \"Adam\"}"));
        State before = state(m);
        OptimizerState optimizerBefore = optimizerState(m);
        // 40 parameters fit; Adam's first step adds 2 x 40 moments and 2 steps, past the budget of 100
        assertThatThrownBy(() -> ops.step(m.id())).isInstanceOf(LimitExceededException.class);
        assertThat(state(m).values()).isEqualTo(before.values());
        assertThat(optimizerState(m)).isEqualTo(optimizerBefore);
        assertThat(small.parametersHeld()).isEqualTo(80);   // 40 parameters and their 40 gradients, no moments
    }

    @Test
    void anInitThatFailsOnItsSecondRuleChangesNothing() {
        LiveModel m = trained();
        State before = state(m);
        InitSpec request = new InitSpec(9L, List.of(
                new InitRule("", null, Map.of("weight", new InitPolicy.Normal(0, 1))),
                new InitRule("", null, Map.of("bias", new InitPolicy.XavierUniform(1)))));   // a bias has no fans: fails
        assertThatThrownBy(() -> operations.init(m.id(), request)).isInstanceOf(UnprocessableException.class)
                .hasMessageContaining("Fan in and fan out");
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aChangeFailingWithAnErrorHalfWayIsUndoneToo() {
        LiveModel m = trained();
        State before = state(m);
        assertThatThrownBy(() -> m.change("init", Footprint.INIT, () -> {
            Tensor w = m.root().namedParameters().get("0.weight");
            Arrays.fill(w.data(), 42f);                  // layer 0 rewritten...
            m.generator().nextUint64();
            throw new OutOfMemoryError("Java heap space");   // ...and the heap runs out before layer 3
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aBackwardRefusedByTheActivationBudgetKeepsNoGradient() {
        LiveModel m = trained();
        State before = state(m);
        // 2000 rows pass the first layer's budget check only part-way through the graph
        assertThatThrownBy(() -> operations.backward(m.id(), input(2000, 4), null, Loss.SUM))
                .isInstanceOf(TensorTooLargeException.class);
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aTrainingForwardFailingAtALaterLayerPutsBatchNormAndTheGeneratorBack() {
        LiveModel m = trained();
        State before = state(m);
        // the input fits layer 0 and BatchNorm (which move), then the loss refuses the target's shape
        assertThatThrownBy(() -> operations.backward(m.id(), input(4, 4), TensorData.ofFloats(new float[3], 3), Loss.MSE))
                .isInstanceOf(RuntimeException.class);
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aFirstForwardThatFailsLeavesTheLazyLayerUninitializedAndTheBudgetAsItWas() {
        LiveModel m = registry.create(JSON.readTree(SPEC));
        State before = state(m);
        assertThatThrownBy(() -> operations.backward(m.id(), input(4, 4), TensorData.ofFloats(new float[3], 3), Loss.MSE))
                .isInstanceOf(RuntimeException.class);
        assertThat(state(m)).isEqualTo(before);
        assertThat(m.read(() -> m.root().anyUninitializedParameters())).isTrue();
    }

    @Test
    void aLoadRefusedForOneShapeLoadsNoKey() {
        LiveModel m = trained();
        State before = state(m);
        Map<String, TensorData> state = new LinkedHashMap<>();
        m.read(() -> m.root().stateDict()).forEach((k, v) -> state.put(k, v.copy()));
        state.put("0.weight", TensorData.ofFloats(new float[32], 8, 4));
        state.put("3.weight", TensorData.ofFloats(new float[3], 3));   // wrong shape
        assertThatThrownBy(() -> operations.loadStateDict(m.id(), "", state, true, null)).isInstanceOf(io.paramlab.nn.LoadStateDictException.class);
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aRefusedRenameOrModeChangeIsUndone() {
        LiveModel m = trained();
        State before = state(m);
        assertThatThrownBy(() -> m.change("patch", Footprint.METADATA, () -> {
            m.root().train(false);
            m.rename("renamed");
            throw new StackOverflowError();
        })).isInstanceOf(StackOverflowError.class);
        assertThat(state(m)).isEqualTo(before);
    }

    @Test
    void aMaterializationOverTheBudgetIsRefusedAndReleasedExactly() {
        Path dir = dataDir.resolve("small");
        ParamlabLimits limits = Stores.limits(1_000_000, 200, 10, 1_000_000);
        ModelRegistry small = new ModelRegistry(limits, Stores.sqlite(dir), dir);
        ModelOperations ops = new ModelOperations(small, limits);
        LiveModel m = small.create(JSON.readTree("{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 10}}"));
        long held = small.parametersHeld();
        assertThatThrownBy(() -> ops.forward(m.id(), "", input(1, 50))).isInstanceOf(LimitExceededException.class);
        assertThat(small.parametersHeld()).isEqualTo(held);
        assertThat(m.read(() -> m.root().anyUninitializedParameters())).isTrue();
        ops.forward(m.id(), "", input(1, 5));   // 50 + 10 fit
        assertThat(small.parametersHeld()).isEqualTo(60);
        small.delete(m.id());
        assertThat(small.parametersHeld()).isZero();
    }
}
