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
}
