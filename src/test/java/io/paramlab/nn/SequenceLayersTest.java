package io.paramlab.nn;

import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Reductions;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sequence layers against PyTorch 1.13 (numbers made by
 * {@code src/test/resources/sequence/make_sequence_cases.py}): each built from a seed as PyTorch
 * builds it after {@code torch.manual_seed}, so the state dict is PyTorch's (uniform draws
 * exactly, normal draws to float rounding); then a train-mode forward with PyTorch's arguments
 * (initial states, bool and float masks, tuples) and the gradients of a weighted sum of every
 * output tensor. Covers what the zoo cases do not: LSTM proj_size, bidirectional with hx, no
 * bias, unbatched inputs, the three cells, MultiheadAttention with kdim/vdim, add_bias_kv,
 * add_zero_attn, float and bool masks, per-head weights, a pre-norm encoder layer with padding,
 * Embedding's padding_idx, and a head tied to its embedding.
 */
class SequenceLayersTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Stream<JsonNode> cases() throws Exception {
        try (InputStream in = SequenceLayersTest.class.getResourceAsStream("/sequence/sequence_cases.json")) {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(in).get("cases").forEach(out::add);
            return out.stream();
        }
    }

    static Module build(JsonNode c) {
        ModelSpec spec = SpecParser.parse(c.get("create"), 32);
        return ModuleFactory.build(spec, new Generator(spec.seed())).root();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(JsonNode c) {
        Module net = build(c);
        assertThat(net.repr()).isEqualTo(c.get("repr").stringValue());
        assertThat(new ArrayList<>(net.namedParameters().keySet())).isEqualTo(strings(c.get("named_parameters")));
        Map<String, TensorData> state = net.stateDict();
        assertThat(new ArrayList<>(state.keySet())).isEqualTo(new ArrayList<>(names(c.get("state_dict"))));
        c.get("state_dict").properties().forEach(e -> assertClose("init " + e.getKey(), values(state.get(e.getKey())), e.getValue(), 1e-5));

        List<Object> args = new ArrayList<>();
        c.get("args").forEach(a -> args.add(arg(a)));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        c.get("kwargs").properties().forEach(e -> kwargs.put(e.getKey(), arg(e.getValue())));
        net.train(true);
        List<Tensor> outs = new ArrayList<>();
        flatten(net.forward(args, kwargs), outs);
        assertThat(outs).hasSize(c.get("outputs").size());
        Tensor loss = null;
        for (int k = 0; k < outs.size(); k++) {
            JsonNode expected = c.get("outputs").get(k);
            assertThat(outs.get(k).shape()).as("output " + k + " shape").containsExactly(ints(expected.get("shape")));
            assertClose("output " + k, outs.get(k).data(), expected.get("data"), 1e-5);
            float[] w = new float[outs.get(k).numel()];
            for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(0.37f * i + k);
            Tensor term = Reductions.sum(Arithmetic.mul(outs.get(k), Tensor.of(w, outs.get(k).shape())));
            loss = loss == null ? term : Arithmetic.add(loss, term);
        }
        assertThat((double) loss.item()).isCloseTo(c.get("loss").doubleValue(), org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(c.get("loss").doubleValue()))));
        loss.backward();
        c.get("grads").properties().forEach(e -> {
            float[] g = net.namedParameters().get(e.getKey()).grad();
            assertThat(g).as("grad of " + e.getKey()).isNotNull();
            assertClose("grad of " + e.getKey(), g, e.getValue(), 1e-4);
        });
    }

    /** The tie: one object under two names, once in named_parameters, twice in the state dict, one summed gradient. */
    @Test
    void aTiedHeadIsOneParameterUnderTwoNames() throws Exception {
        JsonNode c = cases().filter(x -> x.get("name").stringValue().equals("tied_head")).findFirst().orElseThrow();
        Module net = build(c);
        assertThat(net.namedParameters().keySet()).containsExactly("tok.weight", "head.bias");
        assertThat(net.stateDict().keySet()).containsExactly("tok.weight", "head.weight", "head.bias");
        assertThat(net.allParameterNames().get("head.weight")).isSameAs(net.allParameterNames().get("tok.weight"));
        assertThat(net.stateDict().get("head.weight").floats()).isSameAs(net.stateDict().get("tok.weight").floats());
        // the gradient (compared with PyTorch's in matchesPyTorch) is the sum of both uses: the padding row 0 gets
        // nothing from the lookup, only the head's share, so it is not zero
        Module again = build(c);
        Tensor out = (Tensor) again.forward(List.of(arg(c.get("args").get(0))), Map.of());
        Reductions.sum(out).backward();
        float[] g = again.namedParameters().get("tok.weight").grad();
        assertThat(g[0] != 0 || g[1] != 0 || g[2] != 0 || g[3] != 0).isTrue();
    }

    private static void flatten(Object out, List<Tensor> into) {
        if (out instanceof Tensor t) {
            into.add(t);
        } else if (out instanceof List<?> list) {
            list.forEach(o -> flatten(o, into));
        }
    }

    private static Object arg(JsonNode a) {
        if (a.isObject() && a.has("tuple")) {
            List<Object> items = new ArrayList<>();
            a.get("tuple").forEach(x -> items.add(arg(x)));
            return items;
        }
        if (a.isObject()) {
            int[] shape = ints(a.get("shape"));
            JsonNode data = a.get("data");
            return switch (a.get("dtype").stringValue()) {
                case "int64" -> {
                    long[] v = new long[data.size()];
                    for (int i = 0; i < v.length; i++) v[i] = data.get(i).longValue();
                    yield Tensor.ofLongs(v, shape);
                }
                case "bool" -> {
                    boolean[] v = new boolean[data.size()];
                    for (int i = 0; i < v.length; i++) v[i] = data.get(i).booleanValue();
                    yield Tensor.ofBools(v, shape);
                }
                default -> {
                    float[] v = new float[data.size()];
                    for (int i = 0; i < v.length; i++) v[i] = number(data.get(i));
                    yield Tensor.of(v, shape);
                }
            };
        }
        if (a.isBoolean()) return a.booleanValue();
        return a.isNull() ? null : a.longValue();
    }

    private static float number(JsonNode n) {
        if (n.isString()) return n.stringValue().startsWith("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        return n.floatValue();
    }

    private static float[] values(TensorData t) {
        return t.floats();
    }

    private static void assertClose(String what, float[] actual, JsonNode expected, double rel) {
        assertThat(actual.length).as(what + " size").isEqualTo(expected.size());
        double scale = 1;
        for (JsonNode e : expected) scale = Math.max(scale, Math.abs(e.doubleValue()));
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected.get(i).doubleValue())).as(what + "[" + i + "]: " + actual[i] + " vs " + expected.get(i))
                    .isLessThanOrEqualTo(rel * scale);
        }
    }

    private static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).intValue();
        return out;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.stringValue()));
        return out;
    }

    private static List<String> names(JsonNode object) {
        return new ArrayList<>(object.propertyNames());
    }
}
