package io.paramlab.tensor;

import io.paramlab.tensor.Indexing.Index;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.paramlab.tensor.ArithmeticTest.c;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Shape ops, indexing and matmul against PyTorch 1.13 (/usr/bin/python3, torch 1.13; c =
 * torch.arange(24.).reshape(2, 3, 4) / 10, m1 = torch.arange(6.).reshape(2, 3) / 3,
 * m2 = torch.arange(12.).reshape(3, 4) / 5 - 1, bb = torch.arange(12.).reshape(2, 2, 3) / 7,
 * b = torch.tensor([0.5, -2., 4.]), values printed with .flatten().tolist()).
 */
class ShapeOpsTest {
    private static final float EPS = 1e-6f;

    private static float[] tenths(int... indices) {
        float[] out = new float[indices.length];
        for (int i = 0; i < indices.length; i++) out[i] = indices[i] / 10f;
        return out;
    }

    private static Tensor arange(int n, float divisor, float shift, int... shape) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i / divisor + shift;
        return Tensor.of(v, shape);
    }

    @Test
    void reorderingOpsMatchPyTorch() {
        Tensor p = ShapeOps.permute(c(), 2, 0, 1);
        assertThat(p.shape()).containsExactly(4, 2, 3);
        assertThat(p.data()).containsExactly(tenths(0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23));
        // c.transpose(0, 2)[1]
        assertThat(Indexing.getItem(ShapeOps.transpose(c(), 0, 2), Index.at(1)).data()).containsExactly(tenths(1, 13, 5, 17, 9, 21));
        // b.unsqueeze(1).expand(-1, 2)
        Tensor b = Tensor.of(new float[] {0.5f, -2f, 4f}, 3);
        assertThat(ShapeOps.expand(ShapeOps.unsqueeze(b, 1), -1, 2).data()).containsExactly(0.5f, 0.5f, -2f, -2f, 4f, 4f);
        assertThat(ShapeOps.stack(List.of(b, Arithmetic.neg(b)), 1).data()).containsExactly(0.5f, -0.5f, -2f, 2f, 4f, -4f);
        Tensor cat = ShapeOps.cat(List.of(ShapeOps.view(b, 1, 3), ShapeOps.view(Arithmetic.mul(b, 2), 1, 3)), 1);
        assertThat(cat.shape()).containsExactly(1, 6);
        assertThat(cat.data()).containsExactly(0.5f, -2f, 4f, 1f, -4f, 8f);
        assertThat(ShapeOps.view(c(), 4, -1).shape()).containsExactly(4, 6);
        assertThat(ShapeOps.squeeze(Tensor.zeros(2, 1, 3, 1)).shape()).containsExactly(2, 3);
        assertThat(ShapeOps.squeeze(Tensor.zeros(2, 3), 1).shape()).containsExactly(2, 3);
        assertThat(ShapeOps.flatten(Tensor.zeros(2, 3, 4, 5), 1, -1).shape()).containsExactly(2, 60);
    }

    @Test
    void splitAndChunkMatchPyTorch() {
        List<Tensor> split = ShapeOps.split(c(), 3, 2);
        assertThat(split).hasSize(2);
        assertThat(split.get(1).shape()).containsExactly(2, 3, 1);
        assertThat(split.get(1).data()).containsExactly(tenths(3, 7, 11, 15, 19, 23));
        List<Tensor> sizes = ShapeOps.split(c(), new int[] {1, 2}, 1);
        assertThat(sizes.get(0).data()).containsExactly(tenths(0, 1, 2, 3, 12, 13, 14, 15));
        assertThat(sizes.get(1).shape()).containsExactly(2, 2, 4);
        List<Tensor> chunks = ShapeOps.chunk(arange(5, 1, 0, 5), 3, 0);
        assertThat(chunks).extracting(t -> t.shape()[0]).containsExactly(2, 2, 1);
        assertThat(chunks.get(2).data()).containsExactly(4f);
    }

    @Test
    void basicIndexingMatchesPyTorch() {
        // c[1, ::2, None, 1:]
        Tensor t = Indexing.getItem(c(), Index.at(1), Index.slice(null, null, 2), Index.newAxis(), Index.slice(1, null, 1));
        assertThat(t.shape()).containsExactly(2, 1, 3);
        assertThat(t.data()).containsExactly(tenths(13, 14, 15, 21, 22, 23));
        // c[..., -1]
        assertThat(Indexing.getItem(c(), Index.ellipsis(), Index.at(-1)).data()).containsExactly(tenths(3, 7, 11, 15, 19, 23));
        // c[-1, -2]
        assertThat(Indexing.getItem(c(), Index.at(-1), Index.at(-2)).data()).containsExactly(tenths(16, 17, 18, 19));
        Tensor longs = Indexing.getItem(Tensor.ofLongs(new long[] {4, 5, 6}, 3), Index.slice(-2, null, 1));
        assertThat(longs.longs()).containsExactly(5, 6);
    }

    @Test
    void matmulFollowsTorchMatmulsRules() {
        Tensor m1 = arange(6, 3, 0, 2, 3);
        Tensor m2 = arange(12, 5, -1, 3, 4);
        Tensor b = Tensor.of(new float[] {0.5f, -2f, 4f}, 3);
        Tensor bb = arange(12, 7, 0, 2, 2, 3);
        assertThat(MatMul.matmul(m1, m2).data()).containsExactly(new float[] {0.3333333730697632f, 0.5333333015441895f,
                0.7333333492279053f, 0.9333333969116211f, -0.26666662096977234f, 0.5333331823348999f, 1.3333333730697632f,
                2.133333444595337f}, within(EPS));
        assertThat(MatMul.matmul(m1, b).data()).containsExactly(new float[] {2.0f, 4.5f}, within(EPS));
        Tensor dot = MatMul.matmul(b, b);
        assertThat(dot.shape()).isEmpty();
        assertThat(dot.item()).isEqualTo(20.25f);
        assertThat(MatMul.matmul(b, m2).data()).containsExactly(new float[] {2.3000001907348633f, 2.799999713897705f,
                3.299999952316284f, 3.8000001907348633f}, within(EPS));
        Tensor batched = MatMul.matmul(bb, m2);
        assertThat(batched.shape()).containsExactly(2, 2, 4);
        assertThat(batched.data()).containsExactly(new float[] {0.142857164144516f, 0.22857142984867096f, 0.3142857253551483f,
                0.40000003576278687f, -0.11428571492433548f, 0.22857140004634857f, 0.5714285969734192f, 0.9142857789993286f,
                -0.371428519487381f, 0.22857140004634857f, 0.8285714983940125f, 1.4285715818405151f, -0.6285713911056519f,
                0.22857126593589783f, 1.085714340209961f, 1.9428571462631226f}, within(EPS));
        assertThat(MatMul.bmm(bb, ShapeOps.transpose(bb, 1, 2)).data()).containsExactly(new float[] {0.10204082727432251f,
                0.2857142984867096f, 0.2857142984867096f, 1.0204081535339355f, 3.040816307067871f, 4.326530456542969f,
                4.326530456542969f, 6.163265228271484f}, within(EPS));
        // m1[:, :2] @ bb
        Tensor left = MatMul.matmul(Indexing.getItem(m1, Index.all(), Index.slice(null, 2, 1)), bb);
        assertThat(left.shape()).containsExactly(2, 2, 3);
        assertThat(left.data()).containsExactly(new float[] {0.1428571492433548f, 0.1904762089252472f, 0.2380952537059784f,
                0.5714285969734192f, 0.9047619700431824f, 1.2380952835083008f, 0.4285714328289032f, 0.4761905074119568f,
                0.523809552192688f, 2.5714285373687744f, 2.904762029647827f, 3.238095283508301f}, within(EPS));
    }

    @Test
    void softmaxAndLogSoftmaxAlongAnyDim() {
        // torch.log_softmax(c[0], 0)
        Tensor ls = Functional.logSoftmax(Indexing.getItem(c(), Index.at(0)), 0);
        assertThat(ls.data()).containsExactly(new float[] {-1.5512504577636719f, -1.5512504577636719f, -1.5512504577636719f,
                -1.5512504577636719f, -1.1512504816055298f, -1.1512504816055298f, -1.1512504816055298f, -1.1512506008148193f,
                -0.7512505054473877f, -0.7512505054473877f, -0.7512505054473877f, -0.7512505054473877f}, within(EPS));
        // torch.softmax(c, 1)[1]
        Tensor sm = Indexing.getItem(Functional.softmax(c(), 1), Index.at(1));
        assertThat(sm.data()).containsExactly(new float[] {0.21198274195194244f, 0.21198271214962006f, 0.21198271214962006f,
                0.21198274195194244f, 0.316241055727005f, 0.3162410855293274f, 0.3162410259246826f, 0.316241055727005f,
                0.47177624702453613f, 0.47177618741989136f, 0.47177624702453613f, 0.47177624702453613f}, within(EPS));
    }

    @Test
    void errorsAreWordedAsPyTorchWordsThem() {
        Tensor x = Tensor.zeros(2, 3);
        assertThatThrownBy(() -> ShapeOps.view(x, 4)).hasMessage("shape '[4]' is invalid for input of size 6");
        assertThatThrownBy(() -> ShapeOps.view(x, -1, -1)).hasMessage("only one dimension can be inferred");
        assertThatThrownBy(() -> ShapeOps.reshape(x, 5, -1)).hasMessage("shape '[5, -1]' is invalid for input of size 6");
        assertThatThrownBy(() -> ShapeOps.permute(x, 0, 0)).hasMessage("permute(): duplicate dims are not allowed.");
        assertThatThrownBy(() -> ShapeOps.expand(x, 3, 3)).hasMessage("The expanded size of the tensor (3) must match the existing "
                + "size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]");
        assertThatThrownBy(() -> ShapeOps.cat(List.of(x, Tensor.zeros(2, 4)), 0)).hasMessage("Sizes of tensors must match except in "
                + "dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list.");
        assertThatThrownBy(() -> ShapeOps.cat(List.of(x, Tensor.zeros(3)), 0))
                .hasMessage("Tensors must have same number of dimensions: got 2 and 1");
        assertThatThrownBy(() -> ShapeOps.stack(List.of(x, Tensor.zeros(2, 4)), 0))
                .hasMessage("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1");
        assertThatThrownBy(() -> ShapeOps.split(x, 0, 0))
                .hasMessage("split_size can only be 0 if dimension size is 0, but got dimension size of 2");
        assertThatThrownBy(() -> ShapeOps.chunk(x, 0, 0)).hasMessage("chunk expects `chunks` to be greater than 0, got: 0");
        assertThatThrownBy(() -> ShapeOps.unsqueeze(x, 3)).hasMessage("Dimension out of range (expected to be in range of [-3, 2], but got 3)");
        assertThatThrownBy(() -> Indexing.getItem(x, Index.at(5))).hasMessage("index 5 is out of bounds for dimension 0 with size 2");
        assertThatThrownBy(() -> Indexing.getItem(x, Index.at(0), Index.at(0), Index.at(0)))
                .hasMessage("too many indices for tensor of dimension 2");
        assertThatThrownBy(() -> MatMul.matmul(x, Tensor.zeros(4, 3))).hasMessage("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)");
        assertThatThrownBy(() -> MatMul.matmul(x, Tensor.zeros(4))).hasMessage("size mismatch, got 2, 2x3,4");
        assertThatThrownBy(() -> MatMul.matmul(Tensor.zeros(2, 2, 3), Tensor.zeros(4, 3)))
                .hasMessage("mat1 and mat2 shapes cannot be multiplied (4x3 and 4x3)");
        assertThatThrownBy(() -> MatMul.matmul(x, Tensor.zeros(2, 4, 3)))
                .hasMessage("mat1 and mat2 shapes cannot be multiplied (6x4 and 3x2)");
        assertThatThrownBy(() -> MatMul.matmul(Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 2)))
                .hasMessage("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
        assertThatThrownBy(() -> MatMul.matmul(Tensor.zeros(2, 2, 3), Tensor.zeros(2, 4, 5)))
                .hasMessage("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].");
        assertThatThrownBy(() -> MatMul.matmul(Tensor.scalar(1), Tensor.zeros(3)))
                .hasMessage("both arguments to matmul need to be at least 1D, but they are 0D and 1D");
        assertThatThrownBy(() -> MatMul.matmul(Tensor.zeros(3), Tensor.zeros(4))).hasMessage("inconsistent tensor size, expected tensor "
                + "[3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively");
        assertThatThrownBy(() -> MatMul.bmm(x, x)).hasMessage("batch1 must be a 3D tensor");
    }
}
