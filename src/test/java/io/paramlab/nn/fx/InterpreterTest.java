package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.TensorTooLargeException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the interpreter promises beyond single ops: randomness in execution order, the mode argument, the activation budget. */
class InterpreterTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Module build(String json) {
        ModelSpec spec = SpecParser.parse(JSON.readTree(json), 32);
        return ModuleFactory.build(spec, new Generator(spec.seed() == null ? 0 : spec.seed())).root();
    }

    private static final String TWO_DROPOUTS = """
            {"seed": 7, "model": {"type": "Module", "graph": [
              {"name": "x", "op": "placeholder"},
              {"name": "a", "op": "call_function", "target": "torch.nn.functional.dropout", "args": [{"node": "x"}],
               "kwargs": {"p": 0.5, "training": {"training": true}}},
              {"name": "b", "op": "call_function", "target": "torch.nn.functional.dropout", "args": [{"node": "a"}, 0.5, {"training": true}]},
              {"name": "output", "op": "output", "args": [{"node": "b"}]}]}}""";

    @Test
    void dropoutInAGraphDrawsFromTheModelsGeneratorInExecutionOrder() {
        Module graph = build(TWO_DROPOUTS);
        Module sequential = build("""
                {"seed": 7, "model": {"type": "Sequential", "layers": [{"type": "Dropout"}, {"type": "Dropout"}]}}""");
        Tensor x = Tensor.full(1f, 64);
        assertThat(graph.forward(x).data()).containsExactly(sequential.forward(x).data());
        assertThat(graph.anyForwardWritesInTraining()).isTrue();
    }

    @Test
    void theTrainingArgumentIsTheModulesModeAtTheCall() {
        Module graph = build(TWO_DROPOUTS);
        graph.train(false);
        Tensor x = Tensor.full(1f, 64);
        assertThat(graph.forward(x).data()).containsOnly(1f);
    }

    @Test
    void aGraphsActivationsAreChargedToTheBudget() {
        Module graph = build("""
                {"model": {"type": "Module", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "a", "op": "call_function", "target": "operator.add", "args": [{"node": "x"}, {"node": "x"}]},
                  {"name": "b", "op": "call_function", "target": "operator.mul", "args": [{"node": "a"}, {"node": "x"}]},
                  {"name": "output", "op": "output", "args": [{"node": "b"}]}]}}""");
        Tensor x = Tensor.full(1f, 1000);
        try (Allocation.Scope budget = Allocation.limit(1500)) {
            assertThatThrownBy(() -> graph.forward(x)).isInstanceOf(TensorTooLargeException.class);
        }
        try (Allocation.Scope budget = Allocation.limit(2000)) {
            assertThat(graph.forward(x).data()[0]).isEqualTo(2f);
        }
    }

    @Test
    void tuplesIntsAndSlicesFlowThroughTheGraph() {
        Module graph = build("""
                {"model": {"type": "Module", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "shape", "op": "call_function", "target": "builtins.getattr", "args": [{"node": "x"}, "shape"]},
                  {"name": "n", "op": "call_function", "target": "operator.getitem", "args": [{"node": "shape"}, -1]},
                  {"name": "half", "op": "call_function", "target": "operator.floordiv", "args": [{"node": "n"}, 2]},
                  {"name": "chunks", "op": "call_method", "target": "chunk", "args": [{"node": "x"}, 2], "kwargs": {"dim": -1}},
                  {"name": "first", "op": "call_function", "target": "operator.getitem", "args": [{"node": "chunks"}, 0]},
                  {"name": "tail", "op": "call_function", "target": "operator.getitem",
                   "args": [{"node": "x"}, [{"ellipsis": true}, {"slice": [{"node": "half"}, null, null]}]]},
                  {"name": "cat", "op": "call_function", "target": "torch.cat", "args": [[{"node": "tail"}, {"node": "first"}]], "kwargs": {"dim": 1}},
                  {"name": "view", "op": "call_method", "target": "view", "args": [{"node": "cat"}, -1]},
                  {"name": "output", "op": "output", "args": [[{"node": "view"}, {"node": "half"}]]}]}}""");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Object out = graph.forward(List.of(x), Map.of());
        assertThat(out).isInstanceOf(List.class);
        List<?> tuple = (List<?>) out;
        assertThat(((Tensor) tuple.get(0)).data()).containsExactly(3, 4, 1, 2, 7, 8, 5, 6);
        assertThat(tuple.get(1)).isEqualTo(2L);
    }

    /**
     * F.avg_pool2d without divisor_override (its default None) answered a 500 in every graph: the
     * None went to the engine's int through a null Integer. Numbers from PyTorch 1.13:
     * {@code F.avg_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 2)} is [[2.5, 4.5], [10.5, 12.5]],
     * and divisor_override=0 is "divisor must be not zero".
     */
    @Test
    void avgPool2dInAGraphTakesItsDefaultDivisor() {
        Module graph = build("""
                {"model": {"type": "Module", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "a", "op": "call_function", "target": "torch.nn.functional.avg_pool2d", "args": [{"node": "x"}, 2]},
                  {"name": "output", "op": "output", "args": [{"node": "a"}]}]}}""");
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 1, 1, 4, 4);
        assertThat(graph.forward(x).data()).containsExactly(2.5f, 4.5f, 10.5f, 12.5f);
        Module zero = build("""
                {"model": {"type": "Module", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "a", "op": "call_function", "target": "torch.nn.functional.avg_pool2d", "args": [{"node": "x"}, 2],
                   "kwargs": {"divisor_override": 0}},
                  {"name": "output", "op": "output", "args": [{"node": "a"}]}]}}""");
        assertThatThrownBy(() -> zero.forward(x)).isInstanceOf(ShapeException.class).hasMessage("divisor must be not zero");
    }

    /** A size past an int's range said "expected an int, got int"; now the number and the range. */
    @Test
    void anIntPastItsRangeIsNamedWithItsNumber() {
        Module graph = build("""
                {"model": {"type": "Module", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "a", "op": "call_function", "target": "torch.reshape", "args": [{"node": "x"}, [2147483648, 2]]},
                  {"name": "output", "op": "output", "args": [{"node": "a"}]}]}}""");
        assertThatThrownBy(() -> graph.forward(Tensor.full(1f, 4))).isInstanceOf(ShapeException.class)
                .hasMessage("expected an int from -2147483648 to 2147483647, got 2147483648");
    }
}
