package io.paramlab.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Modules with a graph over HTTP: a hand-written residual block, a forward with several inputs,
 * keyword arguments and a tuple output, and K-dimensional cross_entropy with loss_options, against
 * PyTorch 1.13's numbers. The numbers were made by /usr/bin/python3 with
 * src/test/resources/conformance/scripts/torch_reference.py: {@code build(spec)}, the state dict
 * below loaded, then the same forward, loss and backward (weights: ((arange(n) * (3 + i)) % 11 - 5) / 16
 * for the i-th state-dict key; input ((arange(36) * 7) % 13 - 6).reshape(2, 2, 3, 3) / 8).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GraphHttpTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String RESIDUAL = """
            {"seed": 0, "model": {"type": "Module", "class_name": "Residual", "modules": [
              {"name": "conv1", "type": "Conv2d", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1, "bias": false},
              {"name": "bn1", "type": "BatchNorm2d", "num_features": 3},
              {"name": "relu", "type": "ReLU", "inplace": true},
              {"name": "conv2", "type": "Conv2d", "in_channels": 3, "out_channels": 3, "kernel_size": 3, "padding": 1},
              {"name": "shortcut", "type": "Conv2d", "in_channels": 2, "out_channels": 3, "kernel_size": 1}],
             "graph": [
              {"name": "x", "op": "placeholder"},
              {"name": "conv1", "op": "call_module", "target": "conv1", "args": [{"node": "x"}]},
              {"name": "bn1", "op": "call_module", "target": "bn1", "args": [{"node": "conv1"}]},
              {"name": "relu", "op": "call_module", "target": "relu", "args": [{"node": "bn1"}]},
              {"name": "conv2", "op": "call_module", "target": "conv2", "args": [{"node": "relu"}]},
              {"name": "shortcut", "op": "call_module", "target": "shortcut", "args": [{"node": "x"}]},
              {"name": "add", "op": "call_function", "target": "operator.add", "args": [{"node": "conv2"}, {"node": "shortcut"}]},
              {"name": "relu_1", "op": "call_module", "target": "relu", "args": [{"node": "add"}]},
              {"name": "output", "op": "output", "args": [{"node": "relu_1"}]}]}}""";

    private static final String TWO_INPUTS = """
            {"seed": 0, "model": {"type": "Module", "class_name": "Two", "modules": [
               {"name": "fc", "type": "Linear", "in_features": 3, "out_features": 2}],
             "graph": [
              {"name": "a", "op": "placeholder"},
              {"name": "b_1", "op": "placeholder", "target": "b"},
              {"name": "scale", "op": "placeholder", "default": 2.0},
              {"name": "add", "op": "call_function", "target": "operator.add", "args": [{"node": "a"}, {"node": "b_1"}]},
              {"name": "fc", "op": "call_module", "target": "fc", "args": [{"node": "add"}]},
              {"name": "mul", "op": "call_function", "target": "operator.mul", "args": [{"node": "fc"}, {"node": "scale"}]},
              {"name": "size", "op": "call_method", "target": "size", "args": [{"node": "fc"}, -1]},
              {"name": "getitem", "op": "call_function", "target": "operator.getitem",
               "args": [{"node": "add"}, [{"slice": [null, null, null]}, {"slice": [0, {"node": "size"}, null]}]]},
              {"name": "output", "op": "output", "args": [[{"node": "mul"}, [{"node": "getitem"}, null]]]}]}}""";

    @LocalServerPort
    int port;

    private static float[] pattern(int n, int multiplier) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (Math.floorMod(i * multiplier, 11) - 5) / 16f;
        return out;
    }

    private String residual(HttpApi api) {
        String model = "/models/" + api.create(JSON.readTree(RESIDUAL));
        Map<String, Object> state = new LinkedHashMap<>();
        Object[][] keys = {{"conv1.weight", List.of(3, 2, 3, 3), 54, 3}, {"bn1.weight", List.of(3), 3, 4}, {"bn1.bias", List.of(3), 3, 5},
                {"conv2.weight", List.of(3, 3, 3, 3), 81, 9}, {"conv2.bias", List.of(3), 3, 10},
                {"shortcut.weight", List.of(3, 2, 1, 1), 6, 11}, {"shortcut.bias", List.of(3), 3, 12}};
        for (Object[] k : keys) {
            state.put((String) k[0], Map.of("shape", k[1], "data", pattern((int) k[2], (int) k[3])));
        }
        HttpApi.Answer load = api.put(model + "/state-dict?strict=false", state);
        assertThat(load.status()).as(load.body().toString()).isEqualTo(200);
        return model;
    }

    private static Map<String, Object> input() {
        float[] x = new float[36];
        for (int i = 0; i < 36; i++) x[i] = (Math.floorMod(i * 7, 13) - 6) / 8f;
        return Map.of("shape", List.of(2, 2, 3, 3), "data", x);
    }

    @Test
    void aResidualBlockComputesPyTorchsNumbersForwardAndBackward() {
        HttpApi api = new HttpApi(port);
        String model = residual(api);
        assertThat(api.get(model).body().get("repr").stringValue()).isEqualTo("""
                Residual(
                  (conv1): Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
                  (bn1): BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                  (relu): ReLU(inplace=True)
                  (conv2): Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
                  (shortcut): Conv2d(2, 3, kernel_size=(1, 1), stride=(1, 1))
                )""");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input", input());
        body.put("target", Map.of("shape", List.of(2, 3, 3), "dtype", "int64",
                "data", List.of(0, 1, 2, 2, 1, 0, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 0, 1)));
        body.put("loss", "cross_entropy");
        body.put("loss_options", Map.of("ignore_index", 2, "label_smoothing", 0.1));
        HttpApi.Answer out = api.post(model + "/backward", body);
        assertThat(out.status()).as(out.body().toString()).isEqualTo(200);
        Conformance.assertClose("loss", 1.0900373458862305, out.body().get("loss").doubleValue());
        List<Double> output = Conformance.flatten(out.body().get("output").get("data"));
        double[] expected = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1360567808151245, 0.04726579785346985,
                0.04913830757141113, 0.0, 0.7327131032943726, 0.0, 0.527588427066803, 0.0, 0.3191037178039551,
                0.020130977034568787, 0.0936981737613678, 0.08784177899360657, 0.0, 0.46418142318725586, 0.0,
                0.26893335580825806, 0.0, 0.4111284017562866, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                0.5437626838684082, 0.0, 0.5825624465942383, 0.0, 0.3088381290435791, 0.0, 0.23698434233665466,
                0.18349149823188782, 0.0, 0.26621538400650024, 0.0, 0.1528291553258896, 0.0, 0.44828563928604126, 0.0,
                0.15343749523162842, 0.2700665295124054};
        assertThat(output).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) Conformance.assertClose("output[" + i + "]", expected[i], output.get(i));
        List<Double> conv1 = Conformance.flatten(api.get(model + "/parameters/conv1.weight").body().get("grad").get("data"));
        double[] conv1Head = {0.0035922382958233356, -0.0025527854450047016, -0.006325815804302692, -0.0074512651190161705,
                -0.0051273321732878685, -0.0047778598964214325};
        for (int i = 0; i < conv1Head.length; i++) Conformance.assertClose("conv1.weight.grad[" + i + "]", conv1Head[i], conv1.get(i));
        double l2 = 0;
        for (double g : conv1) l2 += g * g;
        Conformance.assertClose("|conv1.weight.grad|", 0.038579341024160385, Math.sqrt(l2));
        List<Double> shortcutBias = Conformance.flatten(api.get(model + "/parameters/shortcut.bias").body().get("grad").get("data"));
        double[] expectedBias = {0.0, -0.1410108208656311, 0.206485778093338};
        for (int i = 0; i < 3; i++) Conformance.assertClose("shortcut.bias.grad[" + i + "]", expectedBias[i], shortcutBias.get(i));
        List<Double> runningMean = Conformance.flatten(api.get(model + "/state-dict").body().get("bn1.running_mean").get("data"));
        double[] expectedMean = {0.0060329861007630825, 0.004687500186264515, 0.0009548611124046147};
        for (int i = 0; i < 3; i++) Conformance.assertClose("bn1.running_mean[" + i + "]", expectedMean[i], runningMean.get(i));
    }

    @Test
    void severalInputsKeywordsDefaultsAndATupleOutput() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(JSON.readTree(TWO_INPUTS));
        api.put(model + "/state-dict", Map.of("fc.weight", List.of(List.of(0.5, -0.25, 0.125), List.of(0.0625, 1.0, -0.5)),
                "fc.bias", List.of(0.25, -0.125)));
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("inputs", List.of(List.of(List.of(1.0, 2.0, 3.0), List.of(-1.0, 0.5, 0.25))));
        call.put("kwargs", Map.of("b", List.of(0.5, -0.5, 1.0)));
        HttpApi.Answer forward = api.post(model + "/forward", call);
        assertThat(forward.status()).as(forward.body().toString()).isEqualTo(200);
        JsonNode output = forward.body().get("output");
        // net(a, b=b) in PyTorch: ([[2.25, -1.0625], [0.3125, -1.5625]], ([[1.5, 1.5], [-0.5, 0.0]], None))
        assertThat(Conformance.flatten(output.get(0).get("data"))).containsExactly(2.25, -1.0625, 0.3125, -1.5625);
        assertThat(Conformance.flatten(output.get(1).get(0).get("data"))).containsExactly(1.5, 1.5, -0.5, 0.0);
        assertThat(output.get(1).get(1).isNull()).isTrue();

        Map<String, Object> backward = new LinkedHashMap<>(call);
        backward.put("loss", "sum");
        HttpApi.Answer out = api.post(model + "/backward", backward);
        assertThat(out.status()).as(out.body().toString()).isEqualTo(200);
        assertThat(out.body().get("loss").doubleValue()).isEqualTo(-0.0625);   // the first tensor of the tuple, summed
        // o[0].sum().backward(): fc.weight.grad [[2, 3, 10.5], [2, 3, 10.5]], fc.bias.grad [4, 4]
        assertThat(Conformance.flatten(api.get(model + "/parameters/fc.weight").body().get("grad").get("data")))
                .containsExactly(2.0, 3.0, 10.5, 2.0, 3.0, 10.5);
        assertThat(Conformance.flatten(api.get(model + "/parameters/fc.bias").body().get("grad").get("data")))
                .containsExactly(4.0, 4.0);
    }

    @Test
    void aMissingArgumentIsA422WithPythonsMessageAndBothInputFormsAre400() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(JSON.readTree(TWO_INPUTS));
        HttpApi.Answer missing = api.post(model + "/forward", Map.of("input", List.of(1.0, 2.0, 3.0)));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body().get("detail").stringValue()).isEqualTo("forward() missing 1 required positional argument: 'b'");
        HttpApi.Answer both = api.post(model + "/forward", Map.of("input", List.of(1.0), "inputs", List.of(List.of(1.0))));
        assertThat(both.status()).isEqualTo(400);
        HttpApi.Answer badOption = api.post(model + "/backward", Map.of("inputs", List.of(List.of(1.0, 2.0, 3.0)),
                "kwargs", Map.of("b", List.of(1.0, 1.0, 1.0)), "loss", "sum", "loss_options", Map.of("ignore_index", 1)));
        assertThat(badOption.status()).isEqualTo(400);
        assertThat(badOption.body().toString()).contains("loss_options.ignore_index");
    }

    /**
     * A forward that fails inside a graph names the node, outermost first (the 422 said only
     * PyTorch's message, which does not say where in a 50-node graph it happened); the detail
     * stays PyTorch's words.
     */
    @Test
    void aForwardFailingInAGraphNamesTheNode() {
        HttpApi api = new HttpApi(port);
        String residual = "/models/" + api.create(JSON.readTree(RESIDUAL));
        List<Double> threeChannels = new ArrayList<>();
        for (int i = 0; i < 27; i++) threeChannels.add(0.5);
        Map<String, Object> input = Map.of("input", Map.of("shape", List.of(1, 3, 3, 3), "data", threeChannels));
        HttpApi.Answer failed = api.post(residual + "/forward", input);
        assertThat(failed.status()).isEqualTo(422);
        assertThat(failed.body().get("node").stringValue()).isEqualTo("conv1");
        assertThat(failed.body().get("detail").stringValue()).isEqualTo("Given groups=1, weight of size [3, 2, 3, 3], "
                + "expected input[1, 3, 3, 3] to have 2 channels, but got 3 channels instead");
        String outer = RESIDUAL.replace("{\"seed\": 0, \"model\": {\"type\": \"Module\", \"class_name\": \"Residual\",",
                "{\"seed\": 0, \"model\": {\"type\": \"Module\", \"modules\": [{\"name\": \"block\", \"type\": \"Module\", "
                        + "\"class_name\": \"Residual\",");
        outer = outer.substring(0, outer.length() - 2) + "}], \"graph\": [{\"name\": \"x\", \"op\": \"placeholder\"}, "
                + "{\"name\": \"block_1\", \"op\": \"call_module\", \"target\": \"block\", \"args\": [{\"node\": \"x\"}]}, "
                + "{\"name\": \"output\", \"op\": \"output\", \"args\": [{\"node\": \"block_1\"}]}]}}";
        HttpApi.Answer nested = api.post("/models/" + api.create(JSON.readTree(outer)) + "/forward", input);
        assertThat(nested.status()).isEqualTo(422);
        assertThat(nested.body().get("node").stringValue()).isEqualTo("block_1/conv1");
        // before any node runs (the forward's own arguments), no node
        HttpApi.Answer unbound = api.post("/models/" + api.create(JSON.readTree(TWO_INPUTS)) + "/forward", Map.of("input", List.of(1.0)));
        assertThat(unbound.status()).isEqualTo(422);
        assertThat(unbound.body().has("node")).isFalse();
    }

    @Test
    void aGraphErrorAtCreateIsA400NamingTheNodeAndNothingIsCreated() {
        HttpApi api = new HttpApi(port);
        int before = api.get("/models").body().size();
        String bad = RESIDUAL.replace("\"target\": \"operator.add\"", "\"target\": \"operator.plus\"");
        HttpApi.Answer created = api.post("/models", JSON.readTree(bad));
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.body().toString()).contains("model.graph[6].target").contains("unknown function \\\"operator.plus\\\"");
        assertThat(api.get("/models").body().size()).isEqualTo(before);
    }

    @Test
    void theSpecEchoKeepsTheGraph() {
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(JSON.readTree(TWO_INPUTS));
        JsonNode spec = api.get(model).body().get("spec").get("model");
        assertThat(spec.get("class_name").stringValue()).isEqualTo("Two");
        List<String> ops = new ArrayList<>();
        spec.get("graph").forEach(n -> ops.add(n.get("op").stringValue()));
        assertThat(ops).containsExactly("placeholder", "placeholder", "placeholder", "call_function", "call_module",
                "call_function", "call_method", "call_function", "output");
        assertThat(spec.get("graph").get(1).get("target").stringValue()).isEqualTo("b");
        assertThat(spec.get("graph").get(2).get("default").doubleValue()).isEqualTo(2.0);
    }

    /** docs/graphs.md's residual block, as the page shows it: created, a forward and a K-dimensional cross_entropy backward. */
    @Test
    void theDocsExampleRuns() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs/graphs.md"));
        int start = doc.indexOf("```json\n") + 8;
        String spec = doc.substring(start, doc.indexOf("```", start));
        HttpApi api = new HttpApi(port);
        String model = "/models/" + api.create(JSON.readTree(spec));
        assertThat(api.get(model).body().get("repr").stringValue()).startsWith("Residual(\n  (conv1): Conv2d(2, 3, kernel_size=(3, 3)");
        Map<String, Object> input = Map.of("shape", List.of(1, 2, 2, 2), "data", List.of(1, 2, 3, 4, 0, 1, 1, 0));
        HttpApi.Answer forward = api.post(model + "/forward", Map.of("input", input));
        assertThat(forward.status()).as(forward.body().toString()).isEqualTo(200);
        assertThat(forward.body().get("output").get("shape").toString()).isEqualTo("[1,3,2,2]");
        HttpApi.Answer backward = api.post(model + "/backward", Map.of("input", input,
                "target", Map.of("shape", List.of(1, 2, 2), "dtype", "int64", "data", List.of(0, 1, 2, 1)),
                "loss", "cross_entropy", "loss_options", Map.of("label_smoothing", 0.1)));
        assertThat(backward.status()).as(backward.body().toString()).isEqualTo(200);
        assertThat(backward.body().get("loss").isNumber()).isTrue();
    }
}
