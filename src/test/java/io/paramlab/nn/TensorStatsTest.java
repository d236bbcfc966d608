package io.paramlab.nn;

import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** TensorStats and ModelStats on hand-made values, the edges of API.md's "Statistics". */
class TensorStatsTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void nanAndInfAreCountedNeverDropped() {
        TensorStats s = TensorStats.of(new float[] {NAN, INF, -INF, 0f, 1f, 2f}, 4);
        assertThat(s.nanCount()).isEqualTo(1);
        assertThat(s.infCount()).isEqualTo(2);
        assertThat(s.zeroFraction()).isEqualTo(1.0 / 6);   // of all elements, non-finite ones included
        assertThat(s.mean()).isEqualTo(1.0);               // of the finite ones
        assertThat(s.min()).isEqualTo(0.0);
        assertThat(s.max()).isEqualTo(2.0);
        assertThat(s.std()).isEqualTo(1.0);
        assertThat(s.l2Norm()).isEqualTo((float) Math.sqrt(5));
        assertThat(s.histogram().counts()).containsExactly(1, 0, 1, 1);
    }

    @Test
    void maximumIsCountedInTheLastBin() {
        float[] values = new float[10_000];
        new Generator(7).normal(values, 0, 1);
        for (int bins : new int[] {1, 3, 7, 30, 1000}) {
            TensorStats s = TensorStats.of(values, bins);
            assertThat(Arrays.stream(s.histogram().counts()).sum()).as("bins " + bins).isEqualTo(values.length);
            assertThat(s.histogram().counts()[bins - 1]).as("the maximum's bin, bins " + bins).isPositive();
            assertThat(s.histogram().counts()[0]).as("the minimum's bin, bins " + bins).isPositive();
            assertThat(s.histogram().edges()).hasSize(bins + 1).startsWith(s.min()).endsWith(s.max());
        }
    }

    @Test
    void constantTensorBinsOverMinMinusOneToMaxPlusOne() {
        TensorStats s = TensorStats.of(new float[] {0.25f, 0.25f, 0.25f}, 4);
        assertThat(s.histogram().edges()).containsExactly(-0.75, -0.25, 0.25, 0.75, 1.25);
        assertThat(s.histogram().counts()).containsExactly(0, 0, 3, 0);
        assertThat(s.std()).isZero();
        assertThat(s.min()).isEqualTo(0.25);
        assertThat(s.max()).isEqualTo(0.25);
    }

    @Test
    void oneElementHasNaNStdAsTorchStd() {
        TensorStats s = TensorStats.of(new float[] {0.5f}, 3);
        assertThat(s.std()).isNaN();
        assertThat(s.mean()).isEqualTo(0.5);
        assertThat(s.l2Norm()).isEqualTo(0.5);
        assertThat(s.histogram().counts()).containsExactly(0, 1, 0);
    }

    @Test
    void stdIsUnbiased() {
        assertThat(TensorStats.of(new float[] {1, 2, 3, 4}, 2).std()).isEqualTo((float) Math.sqrt(5.0 / 3));
    }

    @Test
    void noFiniteElementGivesNaNStatsAndNoHistogram() {
        TensorStats s = TensorStats.of(new float[] {NAN, INF, -INF}, 30);
        assertThat(s.nanCount()).isEqualTo(1);
        assertThat(s.infCount()).isEqualTo(2);
        assertThat(s.zeroFraction()).isZero();
        assertThat(java.util.List.of(s.mean(), s.std(), s.min(), s.max(), s.l2Norm())).allMatch(v -> v.isNaN());
        assertThat(s.histogram()).isNull();

        TensorStats empty = TensorStats.of(new float[0], 30);
        assertThat(empty.zeroFraction()).isNaN();
        assertThat(empty.histogram()).isNull();
    }

    @Test
    void int64BuffersAreReadAsFloat32() {
        TensorStats s = TensorStats.of(new long[] {3}, 2);
        assertThat(s.mean()).isEqualTo(3.0);
        assertThat(s.std()).isNaN();
        assertThat(s.histogram().edges()).containsExactly(2.0, 3.0, 4.0);
        assertThat(s.histogram().counts()).containsExactly(0, 1);
        // 2^24 + 1 is not a float32: as t.to(torch.float32) it reads 2^24
        assertThat(TensorStats.of(new long[] {(1 << 24) + 1}, 1).max()).isEqualTo(1 << 24);
    }

    @Test
    void largeValuesDoNotOverflowTheSums() {
        TensorStats s = TensorStats.of(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE}, 2);
        assertThat(s.mean()).isZero();
        assertThat(s.l2Norm()).as("float32, as PyTorch returns it").isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Arrays.stream(s.histogram().counts()).sum()).isEqualTo(2);
    }

    @Test
    void binsRunFromOneToAThousand() {
        assertThatThrownBy(() -> TensorStats.of(new float[] {1}, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bins must be from 1 to 1000, got 0");
        assertThatThrownBy(() -> TensorStats.of(new float[] {1}, 1001)).hasMessageContaining("got 1001");
        assertThatThrownBy(() -> ModelStats.of(new Linear(2, 2, true, new Generator(0)), -1))
                .hasMessageContaining("bins must be from 1 to 1000");
    }

    @Test
    void updateRatioIsTheChangesNormOverTheWeightsNorm() {
        assertThat(TensorStats.updateRatio(new float[] {3, 4}, new float[] {3, 5})).isCloseTo(0.2, within(1e-7));
        // what torch's division gives for a zero weight: x/0 = inf, 0/0 = nan
        assertThat(TensorStats.updateRatio(new float[] {0, 0}, new float[] {0, 1})).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(TensorStats.updateRatio(new float[] {0, 0}, new float[] {0, 0})).isNaN();
        assertThatThrownBy(() -> TensorStats.updateRatio(new float[1], new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modelStatsListTiedParametersAndSharedBuffersOnce() {
        Generator g = new Generator(0);
        Linear shared = new Linear(3, 3, true, g);
        BatchNorm norm = new BatchNorm(1, 3, 1e-5, 0.1, true, true);
        Sequential net = new Sequential().add("0", shared).add("1", norm).add("2", shared).add("3", norm);
        Tensor weight = shared.localParameters().get("weight");

        ModelStats stats = ModelStats.of(net, 5, p -> p == weight ? 0.01 : null);

        assertThat(stats.parameters()).extracting(ModelStats.ParameterStats::name)
                .containsExactly("0.weight", "0.bias", "1.weight", "1.bias");
        assertThat(stats.parameters().get(0).shape()).containsExactly(3, 3);
        assertThat(stats.parameters().get(0).numel()).isEqualTo(9);
        assertThat(stats.parameters().get(0).grad()).as("no backward yet").isNull();
        assertThat(stats.parameters()).extracting(ModelStats.ParameterStats::updateRatio).containsExactly(0.01, null, null, null);
        assertThat(stats.buffers()).extracting(ModelStats.BufferStats::name)
                .containsExactly("1.running_mean", "1.running_var", "1.num_batches_tracked");
        assertThat(stats.buffers().get(2).shape()).isEmpty();
        assertThat(stats.buffers().get(2).data().histogram().counts()).containsExactly(0, 0, 1, 0, 0);
    }

    @Test
    void gradientStatsAppearAfterABackward() {
        Linear net = new Linear(2, 1, true, new Generator(0));
        net.forward(Tensor.of(new float[] {1, 2}, 1, 2)).backward();
        Map<String, Tensor> params = net.namedParameters();
        ModelStats stats = ModelStats.of(net, 2);
        assertThat(stats.parameters().get(0).grad().mean()).isEqualTo(1.5);   // d(w·x + b)/dw = x
        assertThat(stats.parameters().get(1).grad().mean()).isEqualTo(1.0);
        assertThat(params.get("weight").data()).as("read, not copied or changed").hasSize(2);
    }
}
