package io.paramlab.optim;

import io.paramlab.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing the optimizer spec: PyTorch's validation messages (checked against 1.13), field names, group dicts. */
class OptimizerSpecTest {
    private final Module model = TwoLayers.model();

    private OptimizerSetup build(String json) {
        return OptimizerSetup.fromSpec(OptimCases.map(OptimCases.JSON.readTree(json)), model);
    }

    private void assertRefused(String json, String field, String message) {
        assertThatThrownBy(() -> build(json)).isInstanceOf(OptimizerException.class)
                .hasMessage(message).extracting(e -> ((OptimizerException) e).field()).isEqualTo(field);
    }

    @Test
    void pytorchsMessages() {
        assertRefused("{\"type\": \"SGD\", \"lr\": -1.0}", "lr", "Invalid learning rate: -1.0");
        assertRefused("{\"type\": \"SGD\", \"lr\": 0.1, \"momentum\": -0.5}", "momentum", "Invalid momentum value: -0.5");
        assertRefused("{\"type\": \"SGD\", \"lr\": 0.1, \"nesterov\": true}", "nesterov",
                "Nesterov momentum requires a momentum and zero dampening");
        assertRefused("{\"type\": \"SGD\"}", "lr", "parameter group didn't specify a value of required optimization parameter lr");
        assertRefused("{\"type\": \"Adam\", \"betas\": [1.0, 0.999]}", "betas", "Invalid beta parameter at index 0: 1.0");
        assertRefused("{\"type\": \"Adam\", \"betas\": [0.9, -0.1]}", "betas", "Invalid beta parameter at index 1: -0.1");
        assertRefused("{\"type\": \"Adam\", \"eps\": -1e-8}", "eps", "Invalid epsilon value: -1e-08");
        assertRefused("{\"type\": \"AdamW\", \"weight_decay\": -1}", "weight_decay", "Invalid weight_decay value: -1");
    }

    @Test
    void groupsAreCheckedToo() {
        assertRefused("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"module\": \"0\", \"lr\": -2}]}",
                "param_groups[0].lr", "Invalid learning rate: -2");
        assertRefused("{\"type\": \"SGD\", \"param_groups\": [{\"module\": \"0\", \"lr\": 0.1}, {\"module\": \"2\"}]}",
                "param_groups[1].lr", "parameter group didn't specify a value of required optimization parameter lr");
    }

    @Test
    void aParameterInTwoGroupsIsRefused() {
        assertRefused("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"module\": \"0\"}, {\"params\": [\"0.bias\"]}]}",
                "param_groups[1]", "some parameters appear in more than one parameter group");
    }

    @Test
    void unknownFieldsNamesAndModulesAreRefusedByField() {
        assertRefused("{\"type\": \"SGD\", \"lr\": 0.1, \"momentun\": 0.9}", "momentun",
                "is not an option of SGD (known: type, lr, momentum, dampening, weight_decay, nesterov, maximize, param_groups, scheduler)");
        assertThatThrownBy(() -> build("{\"type\": \"SGDW\", \"lr\": 0.1}")).hasMessageContaining("unknown optimizer 'SGDW'");
        assertThatThrownBy(() -> build("{\"type\": \"SGD\", \"lr\": \"fast\"}")).hasMessage("must be a number, not fast");
        assertThatThrownBy(() -> build("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"params\": [\"9.weight\"]}]}"))
                .hasMessage("no parameter named '9.weight'");
        assertThatThrownBy(() -> build("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"module\": \"7\"}]}"))
                .hasMessage("no module named '7'");
        assertThatThrownBy(() -> build("{\"type\": \"Adam\", \"param_groups\": [{\"module\": \"0\", \"nesterov\": true}]}"))
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("param_groups[0].nesterov");
        assertThatThrownBy(() -> build("{\"type\": \"SGD\", \"lr\": 0.1, \"scheduler\": {\"type\": \"StepLR\"}}"))
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("scheduler.step_size");
        assertThatThrownBy(() -> build("{\"type\": \"SGD\", \"lr\": 0.1, \"scheduler\": {\"type\": \"StepLR\", \"step_size\": 2, \"T_max\": 3}}"))
                .extracting(e -> ((OptimizerException) e).field()).isEqualTo("scheduler.T_max");
    }

    @Test
    void aGroupsOwnKeysComeFirstInItsDict() {
        OptimizerSetup setup = build("{\"type\": \"SGD\", \"lr\": 0.1, \"param_groups\": [{\"momentum\": 0.5, \"module\": \"0\"}, {\"module\": \"2\"}]}");
        List<ParamGroup> groups = setup.optimizer().paramGroups();
        assertThat(groups.get(0).options().keySet()).containsExactly("momentum", "lr", "dampening", "weight_decay",
                "nesterov", "maximize", "foreach", "differentiable");
        assertThat(groups.get(1).options().keySet()).containsExactly("lr", "momentum", "dampening", "weight_decay",
                "nesterov", "maximize", "foreach", "differentiable");
        assertThat(groups.get(0).names()).containsExactly("0.weight", "0.bias");
        assertThat(groups.get(1).options().get("momentum")).isEqualTo(0L);   // Python's int default, echoed as 0
    }

    @Test
    void describeIsWhatGetOptimizerAnswers() {
        OptimizerSetup setup = build("{\"type\": \"Adam\", \"lr\": 0.01, \"param_groups\": [{\"params\": [\"2.weight\"], \"lr\": 0.1}, "
                + "{\"params\": [\"0.weight\", \"0.bias\", \"2.bias\"]}], \"scheduler\": {\"type\": \"CosineAnnealingLR\", \"T_max\": 4}}");
        setup.optimizer().step();
        setup.scheduler().step();
        Map<String, Object> d = setup.describe();
        assertThat(d.keySet()).containsExactly("type", "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize",
                "param_groups", "scheduler", "step_count");
        assertThat(d.get("type")).isEqualTo("Adam");
        assertThat(d.get("betas")).isEqualTo(List.of(0.9, 0.999));
        Map<?, ?> group = (Map<?, ?>) ((List<?>) d.get("param_groups")).get(0);
        assertThat(group.get("params")).isEqualTo(List.of("2.weight"));
        assertThat(group.get("initial_lr")).isEqualTo(0.1);
        assertThat((Double) group.get("lr")).isCloseTo(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, org.assertj.core.data.Offset.offset(1e-15));
        Map<?, ?> scheduler = (Map<?, ?>) d.get("scheduler");
        assertThat(scheduler.keySet().stream().map(String::valueOf).toList()).containsExactly("type", "T_max", "eta_min", "last_epoch", "base_lrs", "last_lr");
        assertThat(scheduler.get("last_epoch")).isEqualTo(1L);
        assertThat(d.get("step_count")).isEqualTo(1L);
    }
}
