package io.paramlab.optim;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update rules alone, bit for bit against PyTorch 1.13 (exact_updates.json, made by
 * generate_exact_updates.py beside it): fixed values and gradients, 37 elements so both
 * ATen's vectorized blocks and its scalar tail are covered, four steps each.
 */
class OptimizerExactTest {
    private static final JsonNode REFERENCE = read();

    private static JsonNode read() {
        try (var in = OptimizerExactTest.class.getResourceAsStream("/optim/exact_updates.json")) {
            return OptimCases.JSON.readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        REFERENCE.get("cases").forEach(c -> out.add(Arguments.of(c.get("optimizer").toString(), c)));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void updateIsBitIdenticalToPyTorch(String name, JsonNode c) {
        Module model = CaseModels.build(OptimCases.JSON.readTree(
                "{\"model\": {\"type\": \"Linear\", \"in_features\": 1, \"out_features\": 37, \"bias\": false}}"));
        Tensor weight = model.namedParameters().get("weight");
        copy(REFERENCE.get("param"), weight.data());
        Losses.sum(model.forward(Tensor.of(new float[] {1f}, 1, 1))).backward();   // allocates weight.grad
        Optimizer optimizer = OptimizerSetup.fromSpec(OptimCases.map(c.get("optimizer")), model).optimizer();
        for (int step = 0; step < 4; step++) {
            copy(REFERENCE.get("grads").get(step), weight.grad());
            optimizer.step();
            float[] expected = new float[37];
            copy(c.get("after").get(step), expected);
            for (int i = 0; i < 37; i++) {
                assertThat(weight.data()[i]).as("step %d element %d", step, i).isEqualTo(expected[i]);
            }
        }
    }

    private static void copy(JsonNode values, float[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = (float) values.get(i).doubleValue();
        }
    }
}
