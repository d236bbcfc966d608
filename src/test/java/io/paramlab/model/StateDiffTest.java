package io.paramlab.model;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateDiffTest {
    @Test
    void shapesThatDifferAreNotComparable() {
        assertThatThrownBy(() -> StateDiff.of(Map.of("w", TensorData.ofFloats(new float[2], 2)),
                Map.of("w", TensorData.ofFloats(new float[2], 1, 2))))
                .isInstanceOf(UnprocessableException.class).hasMessageContaining("size mismatch for w");
    }

    @Test
    void anUnchangedNaNIsNoChangeAndAZeroBaseHasNoRelativeChange() {
        List<StateDiff.Entry> diff = StateDiff.of(
                Map.of("w", TensorData.ofFloats(new float[] {Float.NaN, 0, 0}, 3)),
                Map.of("w", TensorData.ofFloats(new float[] {Float.NaN, 3, 4}, 3)));
        StateDiff.Entry w = diff.get(0);
        assertThat(w.changedElements()).isEqualTo(2);
        assertThat(w.maxAbsDiff()).isEqualTo(4);
        assertThat(w.l2Diff()).isEqualTo(5);
        assertThat(w.relativeL2()).isNaN();   // ‖A‖₂ is NaN here: NaN, not null
        StateDiff.Entry n = StateDiff.of(Map.of("n", TensorData.ofLongs(new long[] {0}, new int[0])),
                Map.of("n", TensorData.ofLongs(new long[] {3}, new int[0]))).get(0);
        assertThat(n.l2Diff()).isEqualTo(3);
        assertThat(n.relativeL2()).isNull();
    }

    /**
     * A model's diff (checkpoints, live) compares int64 buffers as int64: PyTorch 1.13 says {@code torch.equal} False and
     * {@code (a != b).sum()} 3 for {@code a = [2**53, -2**63, 2**63-1, 7, 2**53+1]}, {@code b = [2**53+1, -2**63+1, 2**63-1, 7, 2**53]},
     * while {@code b.double() - a.double()} is 0 everywhere (max_abs_diff, l2_diff 0.0).
     */
    @Test
    void int64ValuesPast2To53AreComparedAsInt64() {
        long p53 = 1L << 53;
        StateDiff.Entry n = StateDiff.of(Map.of("n", TensorData.ofLongs(new long[] {p53, Long.MIN_VALUE, Long.MAX_VALUE, 7, p53 + 1}, 5)),
                Map.of("n", TensorData.ofLongs(new long[] {p53 + 1, Long.MIN_VALUE + 1, Long.MAX_VALUE, 7, p53}, 5))).get(0);
        assertThat(n.changedElements()).isEqualTo(3);
        assertThat(n.maxAbsDiff()).isEqualTo(0.0);
        assertThat(n.l2Diff()).isEqualTo(0.0);
        assertThat(n.relativeL2()).isEqualTo(0.0);
    }
}
