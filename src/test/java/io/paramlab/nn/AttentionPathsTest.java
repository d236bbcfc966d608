package io.paramlab.nn;

import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * MultiheadAttention's one-op path (no weights asked for) against its composed path (the same call with
 * need_weights), in training with dropout, from generators in the same state: the same output, the same
 * dropout masks (the draws are the same) and the same gradients, batch first or not, self-attention (one
 * packed projection) and cross-attention, with a bool key_padding_mask and a float attn_mask.
 */
class AttentionPathsTest {

    @ParameterizedTest(name = "batch_first={0}")
    @ValueSource(booleans = {true, false})
    void theFusedPathGivesTheComposedPathsNumbers(boolean batchFirst) {
        for (boolean self : new boolean[] {true, false}) {
            Run fused = run(batchFirst, self, false);
            Run composed = run(batchFirst, self, true);
            assertClose(fused.out, composed.out, "output, self=" + self);
            for (String name : composed.grads.keySet()) {
                assertClose(fused.grads.get(name), composed.grads.get(name), name + ", self=" + self);
            }
            assertClose(fused.inputGrad, composed.inputGrad, "query's gradient, self=" + self);
            assertThat(fused.nextDraw).as("the generator after the forward").isEqualTo(composed.nextDraw);
        }
    }

    private record Run(float[] out, Map<String, float[]> grads, float[] inputGrad, int nextDraw) {
    }

    private static Run run(boolean batchFirst, boolean self, boolean needWeights) {
        Generator generator = new Generator(3);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.25, true, false, false, 8, 8, batchFirst, generator);
        mha.train(true);
        Generator data = new Generator(11);
        int n = 3;
        int len = 5;
        int src = self ? len : 4;
        Tensor query = Tensor.parameter(normal(data, n * len * 8), batchFirst ? new int[] {n, len, 8} : new int[] {len, n, 8});
        Tensor memory = Tensor.parameter(normal(data, n * src * 8), batchFirst ? new int[] {n, src, 8} : new int[] {src, n, 8});
        Tensor key = self ? query : memory;
        boolean[] pad = new boolean[n * src];
        pad[src - 1] = true;
        pad[2 * src - 2] = true;
        Tensor padding = Tensor.ofBools(pad, n, src);
        Tensor attnMask = Tensor.of(normal(data, len * src), len, src);
        Tensor out = mha.attend(query, key, key, padding, needWeights, attnMask, true)[0];
        Tensor weights = Tensor.of(normal(new Generator(5), out.numel()), out.shape());
        Losses.sum(io.paramlab.tensor.Arithmetic.mul(out, weights)).backward();
        Map<String, float[]> grads = new java.util.LinkedHashMap<>();
        mha.namedParameters().forEach((name, p) -> grads.put(name, p.grad().clone()));
        return new Run(out.data().clone(), grads, query.grad().clone(), generator.nextUint32());
    }

    private static float[] normal(Generator g, int count) {
        float[] v = new float[count];
        g.normal(v, 0, 1);
        return v;
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(1e-5f * (1 + Math.abs(expected[i]))));
        }
    }
}
