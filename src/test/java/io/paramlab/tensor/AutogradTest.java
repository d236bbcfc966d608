package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reverse-mode autograd as PyTorch has it: summed gradients, accumulation, no_grad, deep graphs, worded errors. */
class AutogradTest {

    @Test
    void aTensorUsedTwiceGetsTheSummedGradient() {
        // w = torch.tensor([[2.]], requires_grad=True); x = torch.tensor([[3.]]);
        // F.linear(F.linear(x, w), w).sum().backward() -> w.grad = 2 * w * x = 12
        Tensor w = Tensor.parameter(new float[] {2f}, 1, 1);
        Tensor x = Tensor.of(new float[] {3f}, 1, 1);
        Losses.sum(Functional.linear(Functional.linear(x, w, null), w, null)).backward();
        assertThat(w.grad()).containsExactly(12f);
    }

    @Test
    void gradientsAccumulateAcrossBackwardsUntilZeroed() {
        Tensor w = Tensor.parameter(new float[] {2f}, 1, 1);
        Tensor x = Tensor.of(new float[] {3f}, 1, 1);
        Losses.sum(Functional.linear(x, w, null)).backward();
        Losses.sum(Functional.linear(x, w, null)).backward();
        assertThat(w.grad()).containsExactly(6f);
        w.zeroGrad();
        assertThat(w.grad()).containsExactly(0f);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor w = Tensor.parameter(new float[] {2f}, 1, 1);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor y = Functional.linear(Tensor.of(new float[] {3f}, 1, 1), w, null);
            assertThat(y.requiresGrad()).isFalse();
        }
        assertThat(GradMode.isEnabled()).isTrue();
        assertThat(w.grad()).isNull();
    }

    @Test
    void aFrozenParameterGetsNoGradient() {
        Tensor w = Tensor.parameter(new float[] {2f}, 1, 1);
        Tensor b = Tensor.parameter(new float[] {1f}, 1);
        b.setRequiresGrad(false);
        Losses.sum(Functional.linear(Tensor.of(new float[] {3f}, 1, 1), w, b)).backward();
        assertThat(w.grad()).containsExactly(3f);
        assertThat(b.grad()).isNull();
    }

    @Test
    void aDeepGraphBackpropagatesWithoutOverflowingTheStack() {
        Tensor w = Tensor.parameter(new float[] {1f}, 1);
        Tensor y = w;
        for (int i = 0; i < 100_000; i++) {
            y = Functional.flatten(y, 0, 0);
        }
        Losses.sum(y).backward();
        assertThat(w.grad()).containsExactly(1f);
    }

    @Test
    void onlyScalarsBackpropagateImplicitly() {
        Tensor y = Functional.relu(Tensor.parameter(new float[] {1f, 2f}, 2));
        assertThatThrownBy(y::backward).hasMessage("grad can be implicitly created only for scalar outputs");
    }

    @Test
    void shapeErrorsAreWordedAsPyTorch() {
        Tensor x = Tensor.zeros(2, 5);
        assertThatThrownBy(() -> Functional.linear(x, Tensor.zeros(8, 4), null))
                .isInstanceOf(ShapeException.class).hasMessage("mat1 and mat2 shapes cannot be multiplied (2x5 and 4x8)");
        assertThatThrownBy(() -> Functional.softmax(x, 2))
                .hasMessage("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
        assertThatThrownBy(() -> Functional.flatten(Tensor.zeros(2, 3, 4), 2, 1))
                .hasMessage("flatten() has invalid args: start_dim cannot come after end_dim");
        assertThatThrownBy(() -> Functional.layerNorm(x, new int[] {8}, null, null, 1e-5))
                .hasMessage("Given normalized_shape=[8], expected input with shape [*, 8], but got input of size[2, 5]");
        // the op takes [N, C, *] of any rank, as F.batch_norm; BatchNorm1d/2d check their ranks (ConvLayerSpecTest)
        assertThatThrownBy(() -> Functional.batchNorm(Tensor.zeros(5), null, null, null, null, true, 0.1, 1e-5))
                .hasMessage("expected at least 2D input (got 1D input)");
        assertThatThrownBy(() -> Functional.batchNorm(x, Tensor.zeros(8), Tensor.zeros(8), null, null, true, 0.1, 1e-5))
                .hasMessage("running_mean should contain 5 elements not 8");
        assertThatThrownBy(() -> Functional.batchNorm(Tensor.zeros(1, 8), Tensor.zeros(8), Tensor.zeros(8), null, null, true, 0.1, 1e-5))
                .hasMessage("Expected more than 1 value per channel when training, got input size torch.Size([1, 8])");
        assertThatThrownBy(() -> Losses.crossEntropy(Tensor.zeros(4, 3), Tensor.ofLongs(new long[3], 3)))
                .hasMessage("Expected input batch_size (4) to match target batch_size (3).");
        assertThatThrownBy(() -> Losses.crossEntropy(Tensor.zeros(1, 3), Tensor.ofLongs(new long[] {5}, 1)))
                .hasMessage("Target 5 is out of bounds.");
        assertThatThrownBy(() -> Losses.bceWithLogits(Tensor.zeros(2, 4), Tensor.zeros(2, 3)))
                .hasMessage("Target size (torch.Size([2, 3])) must be the same as input size (torch.Size([2, 4]))");
    }

    @Test
    void largeProductsThroughBlasAgreeWithPlainLoops() {
        int m = 70, k = 50, n = 60;
        float[] a = new float[m * k];
        float[] b = new float[n * k];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i);
        float[] c = new float[m * n];
        Blas.sgemm(false, true, m, n, k, a, b, c, 0f);
        for (int i = 0; i < m; i += 7) {
            for (int j = 0; j < n; j += 11) {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += a[i * k + p] * b[j * k + p];
                assertThat((double) c[i * n + j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }
}
