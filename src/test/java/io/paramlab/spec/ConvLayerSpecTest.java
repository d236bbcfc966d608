package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The convolutional layer types from spec to module: defaults, echo, repr, PyTorch's seeded draws, refusals. */
class ConvLayerSpecTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    // /usr/bin/python3: torch.manual_seed(7); net = nn.Sequential(nn.Conv2d(2, 4, (3, 2), stride=2, padding='valid', groups=2,
    //   padding_mode='reflect'), nn.Conv1d(3, 2, 3, bias=False, padding='same', dilation=2), nn.MaxPool2d(3),
    //   nn.MaxPool1d(2, padding=1), nn.AvgPool1d(2), nn.AvgPool2d((2, 3), divisor_override=2), nn.AdaptiveAvgPool2d((None, 7)),
    //   nn.AdaptiveMaxPool1d(4), nn.BatchNorm2d(4, momentum=None), nn.GroupNorm(2, 4, eps=1e-3), nn.ReLU6(inplace=True),
    //   nn.SiLU(), nn.Hardswish(), nn.Hardsigmoid(), nn.Mish(), nn.ELU(alpha=1), nn.ELU(inplace=True), nn.Softplus(beta=2.0),
    //   nn.LogSoftmax(dim=1), nn.Conv2d(1, 6, 5, padding=2)); print(net); net.state_dict()[k][:4] and its float64 sum
    private static final String NET = """
            {"seed": 7, "model": {"type": "Sequential", "layers": [
              {"type": "Conv2d", "in_channels": 2, "out_channels": 4, "kernel_size": [3, 2], "stride": 2, "padding": "valid",
               "groups": 2, "padding_mode": "reflect"},
              {"type": "Conv1d", "in_channels": 3, "out_channels": 2, "kernel_size": 3, "bias": false, "padding": "same", "dilation": 2},
              {"type": "MaxPool2d", "kernel_size": 3}, {"type": "MaxPool1d", "kernel_size": 2, "padding": 1},
              {"type": "AvgPool1d", "kernel_size": 2}, {"type": "AvgPool2d", "kernel_size": [2, 3], "divisor_override": 2},
              {"type": "AdaptiveAvgPool2d", "output_size": [null, 7]}, {"type": "AdaptiveMaxPool1d", "output_size": 4},
              {"type": "BatchNorm2d", "num_features": 4, "momentum": null}, {"type": "GroupNorm", "num_groups": 2, "num_channels": 4, "eps": 1e-3},
              {"type": "ReLU6", "inplace": true}, {"type": "SiLU"}, {"type": "Hardswish"}, {"type": "Hardsigmoid"}, {"type": "Mish"},
              {"type": "ELU", "alpha": 1}, {"type": "ELU", "inplace": true}, {"type": "Softplus", "beta": 2.0},
              {"type": "LogSoftmax", "dim": 1}, {"type": "Conv2d", "in_channels": 1, "out_channels": 6, "kernel_size": 5, "padding": 2}]}}""";

    private static ModelSpec parse(String json) {
        return SpecParser.parse(JSON.readTree(json), 32);
    }

    private static Module build(ModelSpec spec) {
        return ModuleFactory.build(spec, new Generator(spec.seed())).root();
    }

    @Test
    void reprIsPyTorchs() {
        assertThat(build(parse(NET)).repr()).isEqualTo("""
                Sequential(
                  (0): Conv2d(2, 4, kernel_size=(3, 2), stride=(2, 2), padding=valid, groups=2, padding_mode=reflect)
                  (1): Conv1d(3, 2, kernel_size=(3,), stride=(1,), padding=same, dilation=(2,), bias=False)
                  (2): MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)
                  (3): MaxPool1d(kernel_size=2, stride=2, padding=1, dilation=1, ceil_mode=False)
                  (4): AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
                  (5): AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)
                  (6): AdaptiveAvgPool2d(output_size=(None, 7))
                  (7): AdaptiveMaxPool1d(output_size=4)
                  (8): BatchNorm2d(4, eps=1e-05, momentum=None, affine=True, track_running_stats=True)
                  (9): GroupNorm(2, 4, eps=0.001, affine=True)
                  (10): ReLU6(inplace=True)
                  (11): SiLU()
                  (12): Hardswish()
                  (13): Hardsigmoid()
                  (14): Mish()
                  (15): ELU(alpha=1)
                  (16): ELU(alpha=1.0, inplace=True)
                  (17): Softplus(beta=2.0, threshold=20)
                  (18): LogSoftmax(dim=1)
                  (19): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
                )""");
    }

    @Test
    void convDrawsAsPyTorchBitForBit() {
        Map<String, ?> sd = build(parse(NET)).namedParameters();
        assertThat(head("0.weight", sd)).containsExactly(0.028514135628938675f, -0.245926171541214f, 0.12999580800533295f,
                0.12810038030147552f);
        assertThat(head("0.bias", sd)).containsExactly(0.017089316621422768f, 0.0761229619383812f, 0.31002718210220337f,
                0.10499256104230881f);
        assertThat(head("1.weight", sd)).containsExactly(0.1768491268157959f, -0.2578529715538025f, 0.2372952699661255f,
                0.11472304910421371f);
        assertThat(head("19.weight", sd)).containsExactly(-0.03463254123926163f, -0.025816965848207474f, 0.094744972884655f,
                -0.18675580620765686f);
        assertThat(head("19.bias", sd)).containsExactly(0.06791126728057861f, -0.03878774866461754f, 0.055821873247623444f,
                -0.18401919305324554f);
        assertThat(sum("19.weight", sd)).isEqualTo(-1.227238794992445);
        assertThat(((io.paramlab.tensor.Tensor) sd.get("1.weight")).shape()).containsExactly(2, 3, 3);
    }

    private static float[] head(String name, Map<String, ?> sd) {
        return java.util.Arrays.copyOf(((io.paramlab.tensor.Tensor) sd.get(name)).data(), 4);
    }

    private static double sum(String name, Map<String, ?> sd) {
        double s = 0;
        for (float v : ((io.paramlab.tensor.Tensor) sd.get(name)).data()) s += v;
        return s;
    }

    @Test
    void echoKeepsWhatPyTorchStores() {
        var layers = ((SequentialSpec) parse(NET).model()).children();
        assertThat(args(layers, 0)).containsExactlyEntriesOf(ordered(
                "in_channels", 2, "out_channels", 4, "kernel_size", List.of(3, 2), "stride", List.of(2, 2), "padding", "valid",
                "dilation", List.of(1, 1), "groups", 2, "bias", true, "padding_mode", "reflect"));
        assertThat(args(layers, 2)).containsEntry("kernel_size", 3).containsEntry("stride", 3);
        assertThat(args(layers, 4)).containsEntry("kernel_size", List.of(2)).containsEntry("padding", List.of(0));
        assertThat(args(layers, 6).get("output_size")).isEqualTo(java.util.Arrays.asList(null, 7));
        assertThat(args(layers, 15)).containsEntry("alpha", 1);
        assertThat(args(layers, 16)).containsEntry("alpha", 1.0).containsEntry("inplace", true);
        assertThat(args(layers, 17)).containsEntry("beta", 2.0).containsEntry("threshold", 20);
        // the echo parses back to the same layers
        JsonNode echoed = JSON.valueToTree(SpecJson.class.getName().isEmpty() ? null : Map.of("model", Map.of("type", "Sequential",
                "layers", layers.stream().map(c -> {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("type", ((LayerSpec) c.node()).type());
                    m.putAll(((LayerSpec) c.node()).arguments());
                    return m;
                }).toList())));
        var again = ((SequentialSpec) SpecParser.parse(echoed, 32).model()).children();
        for (int i = 0; i < layers.size(); i++) assertThat(again.get(i).node()).isEqualTo(layers.get(i).node());
    }

    private static Map<String, Object> args(List<NodeSpec.Child> layers, int i) {
        return ((LayerSpec) layers.get(i).node()).arguments();
    }

    private static String problems(String json) {
        try {
            parse(json);
        } catch (InvalidInputException e) {
            return e.errors().toString();
        }
        throw new AssertionError("accepted: " + json);
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void badArgumentsAreRefusedNamingTheField() {
        assertThat(problems("""
                {"model": {"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": [3, 3, 3], "groups": 2,
                 "padding": "full", "padding_mode": "mirror"}}"""))
                .contains("kernel_size").contains("a list of 2")
                .contains("in_channels must be divisible by groups")
                .contains("Invalid padding string 'full', should be one of {'same', 'valid'}")
                .contains("padding_mode");
        assertThatThrownBy(() -> parse("""
                {"model": {"type": "Conv1d", "in_channels": 4, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"}}"""))
                .hasMessageContaining("padding='same' is not supported for strided convolutions");
        assertThatThrownBy(() -> parse("""
                {"model": {"type": "GroupNorm", "num_groups": 2, "num_channels": 3}}"""))
                .hasMessageContaining("num_channels must be divisible by num_groups");
        assertThatThrownBy(() -> parse("""
                {"model": {"type": "MaxPool2d", "kernel_size": 2, "return_indices": true}}"""))
                .hasMessageContaining("unknown field 'return_indices'");
    }

    @Test
    void initRulesReachConvLayersByTypeAndDefaultIsTheirReset() {
        Module net = build(parse(NET));
        float[] groupNormWeight = ((io.paramlab.tensor.Tensor) net.namedParameters().get("9.weight")).data().clone();
        float[] bias = ((io.paramlab.tensor.Tensor) net.namedParameters().get("19.bias")).data().clone();
        var applied = io.paramlab.nn.Initialization.apply(net, List.of(new io.paramlab.nn.InitRule("", List.of("Conv2d"),
                new java.util.LinkedHashMap<>(Map.of("weight", new io.paramlab.init.InitPolicy.Zeros())))), new Generator(1));
        assertThat(applied).extracting(io.paramlab.nn.Initialization.Applied::name).containsExactly("0.weight", "19.weight");
        assertThat(((io.paramlab.tensor.Tensor) net.namedParameters().get("19.weight")).data()).containsOnly(0f);
        assertThat(((io.paramlab.tensor.Tensor) net.namedParameters().get("1.weight")).data()).doesNotContain(0f);
        io.paramlab.nn.Initialization.apply(net, List.of(new io.paramlab.nn.InitRule("19", null,
                Map.of("bias", new io.paramlab.init.InitPolicy.Default()))), new Generator(1));
        float[] redrawn = ((io.paramlab.tensor.Tensor) net.namedParameters().get("19.bias")).data();
        assertThat(redrawn).isNotEqualTo(bias);
        for (float v : redrawn) assertThat(Math.abs(v)).isLessThanOrEqualTo((float) (1 / Math.sqrt(25)));   // fan_in 1 * 5 * 5
        assertThat(((io.paramlab.tensor.Tensor) net.namedParameters().get("9.weight")).data()).isEqualTo(groupNormWeight);
    }

    @Test
    void batchNorm2dChecksItsInputRank() {
        Module bn = build(parse("{\"seed\": 1, \"model\": {\"type\": \"BatchNorm2d\", \"num_features\": 3}}"));
        assertThatThrownBy(() -> bn.forward(io.paramlab.tensor.Tensor.zeros(2, 3, 4)))
                .hasMessage("expected 4D input (got 3D input)");
        Module bn1 = build(parse("{\"seed\": 1, \"model\": {\"type\": \"BatchNorm1d\", \"num_features\": 3}}"));
        assertThatThrownBy(() -> bn1.forward(io.paramlab.tensor.Tensor.zeros(2, 3, 4, 5)))
                .hasMessage("expected 2D or 3D input (got 4D input)");
    }
}
