package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.GradMode;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The #19 zoo cases run in process (spec, build, the graph interpreter, loss, backward) against
 * PyTorch's numbers, without HTTP: the quick loop for the graph; ZooConformanceTest runs them over HTTP.
 */
class ZooInProcessTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "{0}")
    // mobilenet_v2, efficientnet_b0 and squeezenet1_0 pass too once Dropout takes `inplace` (the conv branch's layer table)
    @ValueSource(strings = {"zoo_d2l_resnet_nested", "zoo_resnet18", "zoo_groupnorm_acts"})
    void matchesPyTorch(String id) throws Exception {
        JsonNode c;
        try (InputStream in = getClass().getResourceAsStream("/conformance/" + id + ".json")) {
            c = JSON.readTree(in);
        }
        ModelSpec spec = SpecParser.parse(c.get("create"), 32);
        Module net = ModuleFactory.build(spec, new Generator(spec.seed())).root();
        JsonNode structure = c.get("expect_structure");
        assertThat(net.repr()).isEqualTo(structure.get("repr").stringValue());
        List<String> names = new ArrayList<>();
        net.namedParameters().forEach((n, p) -> names.add(n));
        List<String> expected = new ArrayList<>();
        structure.get("named_parameters").forEach(p -> expected.add(p.get(0).stringValue()));
        assertThat(names).isEqualTo(expected);
        List<String> keys = new ArrayList<>(net.stateDict().keySet());
        List<String> expectedKeys = new ArrayList<>();
        structure.get("state_dict").forEach(p -> expectedKeys.add(p.get(0).stringValue()));
        assertThat(keys).isEqualTo(expectedKeys);
        for (JsonNode step : c.get("steps")) {
            net.train(step.get("mode").stringValue().equals("train"));
            Tensor x = tensor(step.get("input"));
            JsonNode expect = step.get("expect");
            Tensor out;
            if (step.get("op").stringValue().equals("forward")) {
                try (GradMode.Scope s = GradMode.noGrad()) {
                    out = net.forward(x);
                }
            } else {
                out = net.forward(x);
                Tensor target = step.get("loss").stringValue().equals("cross_entropy") ? longs(step.get("target")) : tensor(step.get("target"));
                Tensor loss = Losses.crossEntropy(out, target);
                assertThat(Math.abs(loss.item() - expect.get("loss").doubleValue())).as("loss").isLessThanOrEqualTo(expect.get("loss_tol").doubleValue());
                loss.backward();
                Map<String, Tensor> params = net.namedParameters();
                expect.get("grads").properties().forEach(e -> {
                    float[] g = params.get(e.getKey()).grad();
                    double l2 = 0;
                    for (float v : g) l2 += (double) v * v;
                    assertThat(Math.abs(Math.sqrt(l2) - e.getValue().get("l2").doubleValue())).as("grad l2 of " + e.getKey())
                            .isLessThanOrEqualTo(e.getValue().get("tol").get("l2").doubleValue() * 1.0001 + 1e-12);
                });
            }
            float[] want = floats(expect.get("output"));
            float[] got = out.data();
            assertThat(got.length).isEqualTo(want.length);
            double max = 0;
            for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
            assertThat(max).as(step.get("op") + " " + step.get("mode") + " output").isLessThanOrEqualTo(expect.get("output_tol").doubleValue());
        }
    }

    private static Tensor tensor(JsonNode t) {
        return Tensor.of(floats(t), shape(t));
    }

    private static Tensor longs(JsonNode t) {
        List<Double> flat = new ArrayList<>();
        flatten(t.get("data"), flat);
        long[] out = new long[flat.size()];
        for (int i = 0; i < out.length; i++) out[i] = flat.get(i).longValue();
        return Tensor.ofLongs(out, shape(t));
    }

    private static int[] shape(JsonNode t) {
        int[] s = new int[t.get("shape").size()];
        for (int i = 0; i < s.length; i++) s[i] = t.get("shape").get(i).intValue();
        return s;
    }

    private static float[] floats(JsonNode t) {
        List<Double> flat = new ArrayList<>();
        flatten(t.get("data"), flat);
        float[] out = new float[flat.size()];
        for (int i = 0; i < out.length; i++) out[i] = flat.get(i).floatValue();
        return out;
    }

    private static void flatten(JsonNode n, List<Double> out) {
        if (n.isArray()) n.forEach(x -> flatten(x, out));
        else out.add(n.doubleValue());
    }
}
