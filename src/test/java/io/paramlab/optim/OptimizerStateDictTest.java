package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** state_dict and load_state_dict: PyTorch's structure, its checks and messages, and round trips that continue identically. */
class OptimizerStateDictTest {

    static Stream<Arguments> optimCases() throws Exception {
        return OptimCases.cases("optim");
    }

    /** PyTorch's own dict (from the case) loads, and state_dict() gives it back key for key. */
    @ParameterizedTest
    @MethodSource("optimCases")
    void loadsPyTorchsOwnStateDict(JsonNode c) {
        Module model = CaseModels.build(c.get("create"));
        Map<String, Object> spec = OptimCases.map(c.get("optimizer"));
        spec.remove("scheduler");
        Optimizer optimizer = OptimizerSetup.fromSpec(spec, model).optimizer();
        optimizer.loadStateDict(castMap(plain(c.get("expect_optimizer_state_dict"))));
        OptimCases.assertPlain("reloaded", c.get("expect_optimizer_state_dict"), optimizer.stateDict());
    }

    @Test
    void aRoundTripContinuesBitForBit() {
        String spec = "{\"type\": \"Adam\", \"lr\": 0.01, \"amsgrad\": true, \"weight_decay\": 0.1, "
                + "\"param_groups\": [{\"module\": \"0\"}, {\"module\": \"2\", \"lr\": 0.05}]}";
        Module a = TwoLayers.model();
        Optimizer first = setup(spec, a).optimizer();
        for (int i = 0; i < 2; i++) {
            first.zeroGrad();
            TwoLayers.backward(a, i);
            first.step();
        }
        Module b = TwoLayers.model();
        copyParameters(a, b);
        Optimizer second = setup(spec, b).optimizer();
        second.loadStateDict(first.stateDict());
        for (int i = 2; i < 4; i++) {
            for (Module m : List.of(a, b)) {
                Optimizer o = m == a ? first : second;
                o.zeroGrad();
                TwoLayers.backward(m, i);
                o.step();
            }
        }
        a.stateDict().forEach((k, v) -> assertThat(b.stateDict().get(k).floats()).as(k).containsExactly(v.floats()));
    }

    @Test
    void stateDictHasPyTorchsStructure() {
        Module model = TwoLayers.model();
        model.namedParameters().get("2.bias").setRequiresGrad(false);   // its grad stays None: skipped, no state
        OptimizerSetup setup = setup("{\"type\": \"SGD\", \"lr\": 0.1, \"scheduler\": {\"type\": \"StepLR\", \"step_size\": 2}}", model);
        float[] frozen = model.namedParameters().get("2.bias").data().clone();
        TwoLayers.backward(model, 0);
        setup.optimizer().step();
        Map<String, Object> sd = setup.optimizer().stateDict();
        Map<?, ?> state = (Map<?, ?>) sd.get("state");
        assertThat(new ArrayList<Object>(state.keySet())).containsExactly(0L, 1L, 2L);
        assertThat(castMap(state.get(0L))).containsEntry("momentum_buffer", null);
        Map<?, ?> group = (Map<?, ?>) ((List<?>) sd.get("param_groups")).get(0);
        assertThat(group.keySet().stream().map(String::valueOf).toList()).containsExactly("lr", "momentum", "dampening",
                "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "initial_lr", "params");
        assertThat(group.get("params")).isEqualTo(List.of(0L, 1L, 2L, 3L));
        assertThat(model.namedParameters().get("2.bias").data()).containsExactly(frozen);
    }

    @Test
    void adamsStepIsAZeroDimFloatTensor() {
        Module model = TwoLayers.model();
        Optimizer adam = setup("{\"type\": \"AdamW\"}", model).optimizer();
        TwoLayers.backward(model, 0);
        adam.step();
        adam.step();
        Map<?, ?> first = (Map<?, ?>) ((Map<?, ?>) adam.stateDict().get("state")).get(0L);
        assertThat(first.keySet().stream().map(String::valueOf).toList()).containsExactly("step", "exp_avg", "exp_avg_sq");
        TensorData step = (TensorData) first.get("step");
        assertThat(step.shape()).isEmpty();
        assertThat(step.floats()).containsExactly(2f);
    }

    @Test
    void loadStateDictChecksAsPyTorchDoes() {
        Module model = TwoLayers.model();
        Optimizer two = setup("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"module\": \"0\"}, {\"module\": \"2\"}]}", model).optimizer();
        Optimizer one = setup("{\"type\": \"SGD\", \"lr\": 0.1}", model).optimizer();
        assertThatThrownBy(() -> two.loadStateDict(one.stateDict()))
                .hasMessage("loaded state dict has a different number of parameter groups");
        Optimizer uneven = setup("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"params\": [\"0.weight\"]}, "
                + "{\"params\": [\"0.bias\", \"2.weight\", \"2.bias\"]}]}", model).optimizer();
        assertThatThrownBy(() -> two.loadStateDict(uneven.stateDict()))
                .hasMessage("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");

        Map<String, Object> sd = one.stateDict();
        groupOf(sd).put("lrr", 0.1);
        assertThatThrownBy(() -> one.loadStateDict(sd)).isInstanceOf(OptimizerException.class)
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("param_groups[0].lrr");
        groupOf(sd).remove("lrr");
        groupOf(sd).remove("momentum");
        assertThatThrownBy(() -> one.loadStateDict(sd)).hasMessage("is required");
        Optimizer adam = setup("{\"type\": \"Adam\"}", model).optimizer();
        assertThatThrownBy(() -> adam.loadStateDict(Map.of("state", Map.of(), "param_groups", List.of(), "extra", 1)))
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("extra");
    }

    @Test
    void aRefusedLoadChangesNothing() {
        Module model = TwoLayers.model();
        Optimizer adam = setup("{\"type\": \"Adam\"}", model).optimizer();
        TwoLayers.backward(model, 0);
        adam.step();
        Map<String, Object> before = adam.stateDict();
        Map<String, Object> bad = adam.stateDict();
        groupOf(bad).put("lr", 0.5);
        Map<String, Object> state0 = new LinkedHashMap<>(castMap(((Map<?, ?>) bad.get("state")).get(0L)));
        state0.put("exp_avg", TensorData.ofFloats(new float[3], 3));
        Map<Object, Object> state = new LinkedHashMap<>((Map<?, ?>) bad.get("state"));
        state.put(0L, state0);
        bad.put("state", state);
        assertThatThrownBy(() -> adam.loadStateDict(bad)).isInstanceOf(OptimizerException.class)
                .hasMessage("has shape torch.Size([3]) but its parameter has shape torch.Size([4, 3])");
        assertThat(adam.paramGroups().get(0).lr()).isEqualTo(1e-3);
        OptimCases.assertPlain("unchanged", OptimCases.JSON.valueToTree(jsonable(before)), adam.stateDict());
    }

    @Test
    void schedulerStateDictRoundTrips() {
        Module model = TwoLayers.model();
        OptimizerSetup a = setup("{\"type\": \"SGD\", \"lr\": 0.5, \"scheduler\": {\"type\": \"CosineAnnealingLR\", \"T_max\": 3, \"eta_min\": 0.01}}", model);
        for (int i = 0; i < 4; i++) a.scheduler().step();
        Map<String, Object> sd = a.scheduler().stateDict();
        assertThat(sd.keySet()).containsExactly("T_max", "eta_min", "base_lrs", "last_epoch", "verbose", "_step_count",
                "_get_lr_called_within_step", "_last_lr");
        assertThat(sd.get("last_epoch")).isEqualTo(4L);
        assertThat(sd.get("_step_count")).isEqualTo(5L);
        OptimizerSetup b = setup("{\"type\": \"SGD\", \"lr\": 0.5, \"scheduler\": {\"type\": \"CosineAnnealingLR\", \"T_max\": 3, \"eta_min\": 0.01}}", model);
        b.optimizer().loadStateDict(a.optimizer().stateDict());
        b.scheduler().loadStateDict(sd);
        for (int i = 0; i < 5; i++) {
            a.scheduler().step();
            b.scheduler().step();
            assertThat(b.lrs()).isEqualTo(a.lrs());
        }
        assertThatThrownBy(() -> b.scheduler().loadStateDict(Map.of("gamma", 0.5)))
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("gamma");
    }

    private static OptimizerSetup setup(String json, Module model) {
        return OptimizerSetup.fromSpec(OptimCases.map(OptimCases.JSON.readTree(json)), model);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> groupOf(Map<String, Object> sd) {
        return (Map<String, Object>) ((List<?>) sd.get("param_groups")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static void copyParameters(Module from, Module to) {
        from.stateDict().forEach((k, v) -> to.stateDict().get(k).copyFrom(v));
    }

    /** The case's JSON as the HTTP layer would hand it over: maps, lists, numbers, TensorData for tensors. */
    static Object plain(JsonNode node) {
        if (node.isObject() && node.has("dtype") && node.has("shape")) {
            double[] values = OptimCases.flatten(node.get("data"));
            float[] floats = new float[values.length];
            for (int i = 0; i < floats.length; i++) floats[i] = (float) values[i];
            return TensorData.ofFloats(floats, OptimCases.shape(node));
        }
        if (node.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            node.properties().forEach(e -> out.put(e.getKey(), plain(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(n -> out.add(plain(n)));
            return out;
        }
        return node.isNull() ? null : node.isBoolean() ? node.booleanValue()
                : node.isIntegralNumber() ? (Object) node.longValue() : node.doubleValue();
    }

    @SuppressWarnings("unchecked")
    /** TensorData as the case format's tensor objects, so assertPlain can compare two of our dicts. */
    private static Object jsonable(Object value) {
        if (value instanceof TensorData t) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("shape", t.shape());
            out.put("dtype", t.dtype());
            List<Object> data = new ArrayList<>();
            for (float f : t.floats()) data.add((double) f);
            out.put("data", t.shape().length == 0 ? data.get(0) : data);
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), jsonable(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(jsonable(v)));
            return out;
        }
        return value;
    }
}
