package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Elementwise ops and reductions against PyTorch 1.13. Expectations from /usr/bin/python3 with
 * torch 1.13: a = (torch.arange(6.).reshape(2, 3) - 2.5) / 2, b = torch.tensor([0.5, -2., 4.]),
 * c = torch.arange(24.).reshape(2, 3, 4) / 10, l = torch.tensor([1, 2, 3]), then the expression
 * named in each test, printed with .flatten().tolist().
 */
class ArithmeticTest {
    private static Tensor a() {
        return Tensor.of(new float[] {-1.25f, -0.75f, -0.25f, 0.25f, 0.75f, 1.25f}, 2, 3);
    }

    private static Tensor b() {
        return Tensor.of(new float[] {0.5f, -2f, 4f}, 3);
    }

    static Tensor c() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) v[i] = i / 10f;
        return Tensor.of(v, 2, 3, 4);
    }

    @Test
    void broadcastingArithmeticMatchesPyTorch() {
        assertThat(Arithmetic.add(a(), b()).data()).containsExactly(-0.75f, -2.75f, 3.75f, 0.75f, -1.25f, 5.25f);
        assertThat(Arithmetic.sub(a(), b()).data()).containsExactly(-1.75f, 1.25f, -4.25f, -0.25f, 2.75f, -2.75f);
        assertThat(Arithmetic.mul(a(), b()).data()).containsExactly(-0.625f, 1.5f, -1.0f, 0.125f, -1.5f, 5.0f);
        assertThat(Arithmetic.div(a(), b()).data()).containsExactly(-2.5f, 0.375f, -0.0625f, 0.5f, -0.375f, 0.3125f);
        assertThat(Arithmetic.sub(2, a()).data()).containsExactly(3.25f, 2.75f, 2.25f, 1.75f, 1.25f, 0.75f);
        assertThat(Arithmetic.div(2, b()).data()).containsExactly(4f, -1f, 0.5f);
        assertThat(Arithmetic.add(a(), b()).shape()).containsExactly(2, 3);
    }

    @Test
    void aBroadcastOperandGetsItsGradientSummed() {
        // x = a.requires_grad_(); y = b.requires_grad_(); ((x / y) * [[1, 2, 3], [4, 5, 6]]).sum().backward()
        Tensor x = Tensor.parameter(a().data(), 2, 3);
        Tensor y = Tensor.parameter(b().data(), 3);
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Reductions.sum(Arithmetic.mul(Arithmetic.div(x, y), w)).backward();
        assertThat(x.grad()).containsExactly(2.0f, -1.0f, 0.75f, 8.0f, -2.5f, 1.5f);
        assertThat(y.grad()).containsExactly(1.0f, -0.5625f, -0.421875f);
    }

    @Test
    void comparisonsGiveBoolTensors() {
        Tensor lt = Arithmetic.lt(a(), b());
        assertThat(lt.dtype()).isEqualTo(Dtype.BOOL);
        assertThat(lt.bools()).containsExactly(true, false, true, true, false, true);
        assertThat(Arithmetic.ge(a(), 0).bools()).containsExactly(false, false, false, true, true, true);
        assertThat(Arithmetic.eq(a(), Tensor.of(new float[] {-1.25f, 0.75f}, 2, 1)).bools())
                .containsExactly(true, false, false, false, true, false);
        assertThat(Arithmetic.maskedFill(a(), Arithmetic.gt(a(), 0), -9).data()).containsExactly(-1.25f, -0.75f, -0.25f, -9f, -9f, -9f);
    }

    @Test
    void unaryOpsMatchPyTorch() {
        assertThat(Arithmetic.exp(a()).data()).containsExactly(new float[] {0.2865048050880432f, 0.4723665416240692f,
                0.7788007855415344f, 1.2840254306793213f, 2.117000102996826f, 3.4903430938720703f}, within(1e-7f));
        assertThat(Arithmetic.sqrt(Tensor.of(new float[] {0.5f, 2f, 4f}, 3)).data())
                .containsExactly(0.7071067690849304f, 1.4142135381698608f, 2.0f);
        assertThat(Arithmetic.pow(a(), 3).data()).containsExactly(-1.953125f, -0.421875f, -0.015625f, 0.015625f, 0.421875f, 1.953125f);
    }

    @Test
    void int64StaysInt64WhereTorchKeepsIt() {
        Tensor l = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
        Tensor sum = Arithmetic.add(l, Tensor.ofLongs(new long[] {10, 20}, 2, 1));
        assertThat(sum.dtype()).isEqualTo(Dtype.INT64);
        assertThat(sum.longs()).containsExactly(11, 12, 13, 21, 22, 23);
        assertThat(Arithmetic.mul(l, 2).longs()).containsExactly(2, 4, 6);
        assertThat(Arithmetic.div(l, 2).data()).containsExactly(0.5f, 1f, 1.5f);        // true division: float32
        assertThat(Arithmetic.add(l, 0.5).data()).containsExactly(1.5f, 2.5f, 3.5f);
        assertThat(Arithmetic.add(l, 2.0).dtype()).isEqualTo(Dtype.FLOAT32);                 // l + 2.0: a float scalar promotes
        assertThat(Arithmetic.sub(l, 1).longs()).containsExactly(0, 1, 2);
        assertThat(Reductions.sum(l).longs()).containsExactly(6);
        assertThat(Reductions.sum(Arithmetic.gt(a(), 0), new int[] {0}, false).longs()).containsExactly(1, 1, 1);
        assertThatThrownBy(() -> Functional.relu(l)).hasMessage("expected scalar type Float but found Long");
        assertThatThrownBy(() -> l.setRequiresGrad(true)).hasMessage("only Tensors of floating point dtype can require gradients");
    }

    @Test
    void reductionsOverDimsMatchPyTorch() {
        assertThat(Reductions.sum(c(), new int[] {1}, false).data()).containsExactly(new float[] {1.2000000476837158f, 1.5f,
                1.7999999523162842f, 2.0999999046325684f, 4.800000190734863f, 5.099999904632568f, 5.399999618530273f,
                5.699999809265137f}, within(1e-6f));
        Tensor kept = Reductions.sum(c(), new int[] {0, 2}, true);
        assertThat(kept.shape()).containsExactly(1, 3, 1);
        assertThat(kept.data()).containsExactly(new float[] {6.0f, 9.200000762939453f, 12.40000057220459f}, within(1e-5f));
        assertThat(Reductions.mean(c(), new int[] {-1}, false).data()).containsExactly(new float[] {0.15000000596046448f,
                0.550000011920929f, 0.9500000476837158f, 1.350000023841858f, 1.7500001192092896f, 2.1500000953674316f}, within(1e-6f));
        Tensor all = Reductions.sum(c());
        assertThat(all.shape()).isEmpty();
        assertThat(all.item()).isCloseTo(27.6f, within(1e-5f));
    }

    @Test
    void errorsAreWordedAsPyTorchWordsThem() {
        assertThatThrownBy(() -> Arithmetic.add(Tensor.zeros(2, 3), Tensor.zeros(2, 4)))
                .hasMessage("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
        assertThatThrownBy(() -> Arithmetic.mul(Tensor.zeros(5, 2, 3), Tensor.zeros(4, 1, 3)))
                .hasMessage("The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0");
        // torch.ones(2,3).masked_fill(torch.ones(3,3,dtype=torch.bool), 1): the mask is tensor a
        assertThatThrownBy(() -> Arithmetic.maskedFill(Tensor.zeros(2, 3), Tensor.ofBools(new boolean[9], 3, 3), 1))
                .hasMessage("The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
        assertThatThrownBy(() -> Reductions.sum(Tensor.zeros(2, 3), new int[] {0, -2}, false))
                .hasMessage("dim 0 appears multiple times in the list of dims");
        assertThatThrownBy(() -> Reductions.mean(Tensor.zeros(2, 3), new int[] {2}, false))
                .hasMessage("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    }

    @Test
    void theExampleOfDocsEngineMdRuns() {
        Tensor x = Tensor.parameter(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(new float[] {0.5f, -1, 2}, 3);
        Tensor y = Arithmetic.mul(x, w);
        Tensor s = Reductions.sum(y, new int[] {1}, false);
        Tensor loss = Reductions.mean(Arithmetic.pow(s, 2));
        loss.backward();
        assertThat(s.data()).containsExactly(4.5f, 9f);
        assertThat(x.grad()).containsExactly(2.25f, -4.5f, 9f, 4.5f, -9f, 18f);   // s_i * w_j
        Tensor row = Indexing.getItem(x, Indexing.Index.at(-1), Indexing.Index.slice(null, null, 2));
        assertThat(row.data()).containsExactly(4f, 6f);
        Tensor z = Arithmetic.maskedFill(x, Arithmetic.gt(x, 3), 0);
        assertThat(z.data()).containsExactly(1f, 2f, 3f, 0f, 0f, 0f);
    }

    @Test
    void int64AndBoolResultsAreChargedToTheAllocationBudget() {
        Tensor x = Tensor.zeros(100);
        Tensor l = Tensor.ofLongs(new long[100], 100);
        try (Allocation.Scope ignored = Allocation.limit(20)) {
            assertThatThrownBy(() -> Arithmetic.gt(x, 0)).isInstanceOf(TensorTooLargeException.class);        // 100 bools: 25
            assertThatThrownBy(() -> Arithmetic.add(l, 1)).isInstanceOf(TensorTooLargeException.class);       // offsets, 100 longs
        }
        try (Allocation.Scope ignored = Allocation.limit(30)) {
            assertThat(Arithmetic.gt(x, 0).numel()).isEqualTo(100);
        }
    }
}
