package io.paramlab.spec;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecParserTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ModelSpec parse(String json) {
        return SpecParser.parse(JSON.readTree(json), 32);
    }

    @Test
    void defaultsAreFilledInAsPyTorchHasThem() {
        ModelSpec spec = parse("""
                {"model": {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 4, "out_features": 8},
                  {"type": "LeakyReLU"}, {"type": "GELU"}, {"type": "Softmax"}, {"type": "Dropout"}, {"type": "Flatten"},
                  {"type": "LayerNorm", "normalized_shape": 8},
                  {"type": "BatchNorm1d", "num_features": 8, "momentum": null}]}}""");
        var layers = ((SequentialSpec) spec.model()).children();
        assertThat(layers.get(0).node()).isEqualTo(new LayerSpec.Linear(4, 8, true));
        assertThat(layers.get(1).node()).isEqualTo(new LayerSpec.LeakyReLU(0.01));
        assertThat(layers.get(2).node()).isEqualTo(new LayerSpec.GELU("none"));
        assertThat(layers.get(3).node()).isEqualTo(new LayerSpec.Softmax(null));
        assertThat(layers.get(4).node()).isEqualTo(new LayerSpec.Dropout(0.5));
        assertThat(layers.get(5).node()).isEqualTo(new LayerSpec.Flatten(1, -1));
        assertThat(((LayerSpec.LayerNorm) layers.get(6).node()).normalizedShape()).containsExactly(8);
        assertThat(layers.get(7).node()).isEqualTo(new LayerSpec.BatchNorm(1, 8, 1e-5, null, true, true));
        assertThat(layers.get(3).name()).isEqualTo("3");
    }

    @Test
    void sharedEntriesMayRefEarlierOnesOnly() {
        ModelSpec ok = parse("""
                {"shared": {"a": {"type": "Linear", "in_features": 2, "out_features": 2},
                            "b": {"type": "Sequential", "layers": [{"ref": "a"}, {"ref": "a"}]}},
                 "model": {"ref": "b"}}""");
        assertThat(ok.shared()).containsOnlyKeys("a", "b");
        assertThatThrownBy(() -> parse("""
                {"shared": {"b": {"type": "Sequential", "layers": [{"ref": "a"}]},
                            "a": {"type": "Sequential", "layers": [{"ref": "b"}]}},
                 "model": {"ref": "a"}}"""))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("shared.b.layers[0].ref")
                .hasMessageContaining("comes after it");
    }

    @Test
    void sizeCountsSharedParametersOnceAndPathsAtEveryUse() {
        ModelSpec spec = parse("""
                {"shared": {"s": {"type": "Linear", "in_features": 8, "out_features": 8}},
                 "model": {"type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 4, "out_features": 8}, {"ref": "s"}, {"ref": "s"},
                   {"type": "Linear", "in_features": 8, "out_features": 1, "bias": false}]}}""");
        assertThat(SpecSize.of(spec)).isEqualTo(new SpecSize(40 + 72 + 8, 5, 1));
    }

    @Test
    void sharedBlocksMultiplyPathsWithoutOverflow() {
        StringBuilder json = new StringBuilder("{\"shared\": {\"s0\": {\"type\": \"ReLU\"}");
        for (int i = 1; i <= 80; i++) {
            json.append(", \"s").append(i).append("\": {\"type\": \"Sequential\", \"layers\": [{\"ref\": \"s").append(i - 1)
                    .append("\"}, {\"ref\": \"s").append(i - 1).append("\"}]}");
        }
        json.append("}, \"model\": {\"ref\": \"s80\"}}");
        SpecSize size = SpecSize.of(parse(json.toString()));
        assertThat(size.modulePaths()).isEqualTo(Long.MAX_VALUE);
        assertThat(size.depth()).isEqualTo(80);
    }

    @Test
    void depthOverTheLimitIsALimitProblem() {
        String deep = "{\"type\":\"Sequential\",\"layers\":[".repeat(33) + "{\"type\":\"ReLU\"}" + "]}".repeat(33);
        assertThatThrownBy(() -> parse("{\"model\":" + deep + "}"))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("deeper than 32 levels");
    }

    @Test
    void wrongTypesNameTheirField() {
        JsonNode body = JSON.readTree("{\"seed\": 1.5, \"model\": {\"type\": \"Linear\", \"in_features\": \"4\", \"out_features\": 8, \"bias\": 1}}");
        assertThatThrownBy(() -> SpecParser.parse(body, 32))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactly("seed", "model.in_features", "model.bias"));
    }

    /**
     * nn.Softmax() is dim=None: repr Softmax(dim=None), the spec echoes "dim": null, and each input takes
     * F.softmax's implicit dim. From /usr/bin/python3: m = nn.Softmax(); for each shape,
     * m(torch.arange(float(n)).reshape(shape) * 0.5 - 1).flatten().
     */
    @Test
    void softmaxDefaultsToDimNoneWithTheImplicitDimOfEachInput() {
        ModelSpec spec = parse("{\"model\": {\"type\": \"Softmax\"}}");
        assertThat(spec.model()).isEqualTo(new LayerSpec.Softmax(null));
        assertThat(JSON.writeValueAsString(SpecJson.of(spec))).contains("{\"type\":\"Softmax\",\"dim\":null}");
        io.paramlab.nn.Module softmax = ModuleFactory.build(spec, new io.paramlab.tensor.Generator(0)).root();
        assertThat(softmax.repr()).isEqualTo("Softmax(dim=None)");
        java.util.Map<java.util.List<Integer>, float[]> expected = new java.util.LinkedHashMap<>();
        expected.put(java.util.List.of(3), new float[] {0.18632373213768005f, 0.30719590187072754f, 0.5064803957939148f});
        expected.put(java.util.List.of(2, 3), new float[] {0.18632373213768005f, 0.30719590187072754f, 0.5064803957939148f,
                0.18632373213768005f, 0.30719590187072754f, 0.5064803957939148f});
        expected.put(java.util.List.of(2, 3, 2), new float[] {0.04742587357759476f, 0.04742587357759476f, 0.04742587357759476f,
                0.04742587357759476f, 0.04742587357759476f, 0.04742587357759476f, 0.9525741338729858f, 0.9525741338729858f,
                0.9525741338729858f, 0.9525741338729858f, 0.9525741338729858f, 0.9525741338729858f});
        expected.put(java.util.List.of(1, 2, 1, 2), new float[] {0.2689414322376251f, 0.2689414322376251f, 0.7310585975646973f,
                0.7310585975646973f});
        expected.forEach((shape, want) -> {
            float[] x = new float[want.length];
            for (int i = 0; i < x.length; i++) x[i] = i * 0.5f - 1;
            float[] y = softmax.forward(io.paramlab.tensor.Tensor.of(x, shape.stream().mapToInt(Integer::intValue).toArray())).data();
            for (int i = 0; i < want.length; i++) {
                assertThat((double) y[i]).as(shape + " element " + i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-6));
            }
        });
        assertThat(parse("{\"model\": {\"type\": \"Softmax\", \"dim\": null}}").model()).isEqualTo(new LayerSpec.Softmax(null));
        assertThat(parse("{\"model\": {\"type\": \"Softmax\", \"dim\": -1}}").model()).isEqualTo(new LayerSpec.Softmax(-1));
    }
}
