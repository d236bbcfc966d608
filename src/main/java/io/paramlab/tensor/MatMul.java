package io.paramlab.tensor;

import java.util.Arrays;

/**
 * {@code torch.matmul} with its rules (1-D, 2-D, folded, batched with broadcast batch dims),
 * {@code mm}, {@code mv}, {@code dot} and {@code bmm}, all through one batched sgemm with its
 * gradient; matmul is composed from view/expand/transpose and that, as PyTorch composes it, so
 * its error messages are PyTorch's too.
 */
public final class MatMul {
    private MatMul() {
    }

    /** {@code torch.matmul(a, b)} */
    public static Tensor matmul(Tensor a, Tensor b) {
        int d1 = a.dim();
        int d2 = b.dim();
        if (d1 == 0 || d2 == 0) {
            throw new ShapeException("both arguments to matmul need to be at least 1D, but they are " + d1 + "D and " + d2 + "D");
        }
        if (d1 == 1 && d2 == 1) return dot(a, b);
        if (d1 == 2 && d2 == 1) return mv(a, b);
        if (d1 == 1 && d2 == 2) return ShapeOps.squeeze(mm(ShapeOps.unsqueeze(a, 0), b), 0);
        if (d1 == 2 && d2 == 2) return mm(a, b);
        int[] s1 = a.shapeView();
        int[] s2 = b.shapeView();
        if (d1 >= 3 && d2 <= 2) {                        // fold a's batch dims into its rows
            int k = s1[d1 - 1];
            Tensor folded = ShapeOps.reshape(a, -1, k);
            Tensor y = d2 == 1 ? mv(folded, b) : mm(folded, b);
            int[] shape = d2 == 1 ? Arrays.copyOf(s1, d1 - 1) : withLast(Arrays.copyOf(s1, d1), s2[1]);
            return ShapeOps.view(y, shape);
        }
        if (d2 >= 3 && d1 <= 2) {                        // (b^T a^T)^T, folding b's batch dims
            int k = s2[d2 - 2];
            int m = s2[d2 - 1];
            Tensor folded = ShapeOps.reshape(ShapeOps.transpose(b, -1, -2), -1, k);
            if (d1 == 1) {
                int[] shape = Arrays.copyOf(s2, d2 - 1);
                shape[d2 - 2] = m;
                return ShapeOps.view(mv(folded, a), shape);
            }
            Tensor y = mm(folded, ShapeOps.transpose(a, 0, 1));       // [batch * m, n]
            int[] shape = s2.clone();
            shape[d2 - 2] = m;
            shape[d2 - 1] = s1[0];
            return ShapeOps.transpose(ShapeOps.view(y, shape), -1, -2);
        }
        Tensor x = d1 == 1 ? ShapeOps.unsqueeze(a, 0) : a;
        Tensor y = d2 == 1 ? ShapeOps.unsqueeze(b, -1) : b;
        int[] xs = x.shapeView();
        int[] ys = y.shapeView();
        int[] batch = Shapes.broadcast(Arrays.copyOf(xs, xs.length - 2), Arrays.copyOf(ys, ys.length - 2));
        int n = xs[xs.length - 2];
        int k = xs[xs.length - 1];
        int k2 = ys[ys.length - 2];
        int m = ys[ys.length - 1];
        int count = Shapes.numel(batch);
        Tensor bx = ShapeOps.reshape(ShapeOps.expand(x, concat(batch, n, k)), count, n, k);
        Tensor by = ShapeOps.reshape(ShapeOps.expand(y, concat(batch, k2, m)), count, k2, m);
        int[] shape = concat(batch, n, m);
        if (d1 == 1) shape = removeAt(shape, shape.length - 2);
        if (d2 == 1) shape = removeAt(shape, shape.length - 1);
        return ShapeOps.view(bmm(bx, by), shape);
    }

    /** {@code torch.mm(a, b)}: [n, k] by [k, m]. */
    public static Tensor mm(Tensor a, Tensor b) {
        if (a.dim() != 2) throw new ShapeException("self must be a matrix");
        if (b.dim() != 2) throw new ShapeException("mat2 must be a matrix");
        int[] s1 = a.shapeView();
        int[] s2 = b.shapeView();
        if (s1[1] != s2[0]) {
            throw new ShapeException("mat1 and mat2 shapes cannot be multiplied (" + s1[0] + "x" + s1[1] + " and " + s2[0] + "x" + s2[1] + ")");
        }
        return batched(a, b, 1, s1[0], s1[1], s2[1], new int[] {s1[0], s2[1]});
    }

    /** {@code torch.mv(a, v)}: [n, k] by [k]. */
    public static Tensor mv(Tensor a, Tensor v) {
        int[] s1 = a.shapeView();
        int[] s2 = v.shapeView();
        if (s1.length != 2 || s2.length != 1) {
            throw new ShapeException("vector + matrix @ vector expected, got 1, " + s1.length + ", " + s2.length);
        }
        if (s1[1] != s2[0]) {
            throw new ShapeException("size mismatch, got " + s1[0] + ", " + s1[0] + "x" + s1[1] + "," + s2[0]);
        }
        return batched(a, v, 1, s1[0], s1[1], 1, new int[] {s1[0]});
    }

    /** {@code torch.dot(a, b)}: two 1-D tensors of the same length, a 0-d result. */
    public static Tensor dot(Tensor a, Tensor b) {
        int[] s1 = a.shapeView();
        int[] s2 = b.shapeView();
        if (s1.length != 1 || s2.length != 1) {
            throw new ShapeException("1D tensors expected, but got " + s1.length + "D and " + s2.length + "D tensors");
        }
        if (s1[0] != s2[0]) {
            throw new ShapeException("inconsistent tensor size, expected tensor [" + s1[0] + "] and src [" + s2[0]
                    + "] to have the same number of elements, but got " + s1[0] + " and " + s2[0] + " elements respectively");
        }
        return batched(a, b, 1, 1, s1[0], 1, new int[0]);
    }

    /** {@code torch.bmm(a, b)}: [B, n, k] by [B, k, m]. */
    public static Tensor bmm(Tensor a, Tensor b) {
        if (a.dim() != 3) throw new ShapeException("batch1 must be a 3D tensor");
        if (b.dim() != 3) throw new ShapeException("batch2 must be a 3D tensor");
        int[] s1 = a.shapeView();
        int[] s2 = b.shapeView();
        if (s2[0] != s1[0] || s2[1] != s1[2]) {
            throw new ShapeException("Expected size for first two dimensions of batch2 tensor to be: [" + s1[0] + ", " + s1[2]
                    + "] but got: [" + s2[0] + ", " + s2[1] + "].");
        }
        return batched(a, b, s1[0], s1[1], s1[2], s2[2], new int[] {s1[0], s1[1], s2[2]});
    }

    /** C_i = A_i B_i for contiguous [count, n, k] and [count, k, m]; dA_i += G_i B_i^T, dB_i += A_i^T G_i. */
    private static Tensor batched(Tensor a, Tensor b, int count, int n, int k, int m, int[] shape) {
        float[] x = a.data();
        float[] y = b.data();
        float[] out = Allocation.floats((long) count * n * m);
        for (int i = 0; i < count; i++) {
            Blas.sgemm(false, false, n, m, k, x, i * n * k, y, i * k * m, out, i * n * m, 0f);
        }
        return Tensor.result(out, shape, g -> {
            if (a.requiresGrad()) {
                float[] dx = a.gradBuffer();
                for (int i = 0; i < count; i++) Blas.sgemm(false, true, n, k, m, g, i * n * m, y, i * k * m, dx, i * n * k, 1f);
            }
            if (b.requiresGrad()) {
                float[] dy = b.gradBuffer();
                for (int i = 0; i < count; i++) Blas.sgemm(true, false, k, m, n, x, i * n * k, g, i * n * m, dy, i * k * m, 1f);
            }
        }, a, b);
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = rows;
        out[batch.length + 1] = cols;
        return out;
    }

    private static int[] withLast(int[] shape, int last) {
        shape[shape.length - 1] = last;
        return shape;
    }

    private static int[] removeAt(int[] shape, int at) {
        int[] out = new int[shape.length - 1];
        System.arraycopy(shape, 0, out, 0, at);
        System.arraycopy(shape, at + 1, out, at, shape.length - at - 1);
        return out;
    }
}
