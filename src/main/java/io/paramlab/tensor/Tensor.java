package io.paramlab.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A tensor on a contiguous row-major array, with reverse-mode autograd as micrograd has it: an
 * op's output keeps its inputs and the closure that pushes its gradient back, and gradients
 * accumulate with += so a tensor used twice gets the sum. Its {@link Dtype} says which storage
 * it has: float32 values in {@link #data()} (the only dtype with gradients), int64 in
 * {@link #longs()}, bool in {@link #bools()}.
 */
public final class Tensor {
    private static final float[] NONE = new float[0];
    private final Dtype dtype;
    private float[] data;            // float32 values; NONE for the other dtypes
    private final long[] longs;      // int64 values, else null
    private final boolean[] bools;   // bool values, else null
    private int[] shape;             // null while an uninitialized parameter (a lazy layer's, before its first forward)
    private boolean requiresGrad;
    private float[] grad;
    private Tensor[] inputs;         // null for a leaf
    private Backward backward;

    /** Pushes this tensor's gradient into its inputs' gradients. */
    @FunctionalInterface
    interface Backward {
        void apply(float[] gradOut);
    }

    private Tensor(float[] data, int[] shape) {
        checkLength(data.length, shape);
        this.dtype = Dtype.FLOAT32;
        this.data = data;
        this.longs = null;
        this.bools = null;
        this.shape = shape.clone();
    }

    private Tensor(long[] longs, boolean[] bools, int[] shape) {
        checkLength(longs != null ? longs.length : bools.length, shape);
        this.dtype = longs != null ? Dtype.INT64 : Dtype.BOOL;
        this.data = NONE;
        this.longs = longs;
        this.bools = bools;
        this.shape = shape.clone();
    }

    private static void checkLength(int length, int[] shape) {
        if (length != Shapes.numel(shape)) {
            throw new IllegalArgumentException("data has " + length + " values, shape " + Shapes.format(shape)
                    + " needs " + Shapes.numel(shape));
        }
    }

    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** An int64 tensor (class indices, sizes); it never requires a gradient. */
    public static Tensor ofLongs(long[] values, int... shape) {
        return new Tensor(values, null, shape);
    }

    /** A bool tensor (the result of a comparison, a mask); it never requires a gradient. */
    public static Tensor ofBools(boolean[] values, int... shape) {
        return new Tensor(null, values, shape);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shapes.numel(shape)], shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] data = new float[Shapes.numel(shape)];
        java.util.Arrays.fill(data, value);
        return new Tensor(data, shape);
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    /** A leaf that gradients accumulate into, as an nn.Parameter. */
    public static Tensor parameter(float[] data, int... shape) {
        Tensor t = new Tensor(data, shape);
        t.requiresGrad = true;
        return t;
    }

    /**
     * PyTorch's {@code UninitializedParameter}: a parameter with no shape and no values until
     * {@link #materialize} gives it both; it keeps its identity, so every holder sees the result.
     */
    public static Tensor uninitializedParameter() {
        Tensor t = new Tensor(NONE, new int[] {0});
        t.shape = null;
        t.requiresGrad = true;
        return t;
    }

    public boolean isInitialized() {
        return shape != null;
    }

    /** {@code UninitializedParameter.materialize(shape)}: zeros of that shape, drawn by the caller. */
    public void materialize(int... shape) {
        if (isInitialized()) {
            throw new IllegalStateException("the parameter is initialized already");
        }
        long elements = 1;
        for (int d : shape) {
            elements *= Math.max(0, d);
            elements = Math.min(elements, Long.MAX_VALUE / Integer.MAX_VALUE);   // saturates: no overflow past the charge
        }
        Allocation.parameters(elements);   // charged (or refused) before anything is allocated
        this.data = new float[Shapes.numel(shape)];
        this.shape = shape.clone();
    }

    /** Values, shape, gradient and flag as they are now, for {@link #restore} after a failed change. */
    public Snapshot snapshot(boolean withData, boolean withGrad) {
        return new Snapshot(data, shape, withData && data.length > 0 ? data.clone() : null,
                grad, withGrad && grad != null ? grad.clone() : null, requiresGrad);
    }

    /** Puts back what {@link #snapshot} saw, copying into the arrays it saw (no allocation, so it works out of memory too). */
    public void restore(Snapshot s) {
        data = s.data;
        shape = s.shape;
        if (s.values != null) {
            System.arraycopy(s.values, 0, data, 0, data.length);
        }
        grad = s.grad;
        if (s.gradValues != null) {
            System.arraycopy(s.gradValues, 0, grad, 0, grad.length);
        }
        requiresGrad = s.requiresGrad;
    }

    /** What a parameter was before a change: its arrays (by identity) and, where asked, their values. */
    public record Snapshot(float[] data, int[] shape, float[] values, float[] grad, float[] gradValues, boolean requiresGrad) {
    }

    /** The output of an op: records the graph only when grad mode is on and an input needs a gradient. */
    static Tensor result(float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(data, shape);
        if (GradMode.isEnabled()) {
            for (Tensor input : inputs) {
                if (input != null && input.requiresGrad) {
                    out.requiresGrad = true;
                    out.inputs = inputs;
                    out.backward = backward;
                    break;
                }
            }
        }
        return out;
    }

    /** The shape, or null for an uninitialized parameter. */
    public int[] shape() {
        return shape == null ? null : shape.clone();
    }

    int[] shapeView() {
        if (shape == null) {
            throw new UninitializedParameterException("forward");
        }
        return shape;
    }

    public int dim() {
        return shapeView().length;
    }

    public int size(int dim) {
        return shape[Shapes.normalizeDim(dim, shape.length)];
    }

    public int numel() {
        return switch (dtype) {
            case FLOAT32 -> data.length;
            case INT64 -> longs.length;
            case BOOL -> bools.length;
        };
    }

    public Dtype dtype() {
        return dtype;
    }

    /** The float32 values, row-major; a tensor of another dtype refuses with PyTorch's words. */
    public float[] data() {
        if (dtype != Dtype.FLOAT32) {
            throw new ShapeException("expected scalar type Float but found " + dtype.scalarType());
        }
        return data;
    }

    /** The int64 values, row-major. */
    public long[] longs() {
        if (dtype != Dtype.INT64) {
            throw new ShapeException("expected scalar type Long but found " + dtype.scalarType());
        }
        return longs;
    }

    /** The bool values, row-major. */
    public boolean[] bools() {
        if (dtype != Dtype.BOOL) {
            throw new ShapeException("expected scalar type Bool but found " + dtype.scalarType());
        }
        return bools;
    }

    /** The value of a one-element tensor, as a float (an int64 or bool converted). */
    public float item() {
        if (numel() != 1) {
            throw new ShapeException("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        }
        return switch (dtype) {
            case FLOAT32 -> data[0];
            case INT64 -> longs[0];
            case BOOL -> bools[0] ? 1f : 0f;
        };
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public void setRequiresGrad(boolean requiresGrad) {
        if (requiresGrad && dtype != Dtype.FLOAT32) {
            throw new ShapeException("only Tensors of floating point dtype can require gradients");
        }
        if (inputs != null) {
            throw new IllegalStateException("you can only change requires_grad flags of leaf variables");
        }
        this.requiresGrad = requiresGrad;
    }

    public float[] grad() {
        return grad;
    }

    /** Sets the gradient (a copy kept elsewhere, e.g. spilled while the model was out of memory); null for none. */
    public void setGrad(float[] values) {
        if (values != null && values.length != data.length) {
            throw new IllegalArgumentException("a gradient of " + values.length + " values for a tensor of " + data.length);
        }
        grad = values;
    }

    public void zeroGrad() {
        if (grad != null) {
            java.util.Arrays.fill(grad, 0f);
        }
    }

    /** The gradient buffer to accumulate into, allocated at first use. */
    /**
     * Hands {@code g} to this tensor as its gradient, without a copy, when it is an op's result with no
     * gradient yet: true, and then the caller owns no part of g any more but must, within its backward,
     * overwrite g in place with this tensor's gradient (as PyTorch writes grad_input, instead of zeroing
     * a buffer and adding into it). False for a leaf or a tensor that already has a gradient (add into
     * {@link #gradBuffer()} then). The caller must own g: its output's gradient, dropped after its backward.
     */
    boolean adoptGrad(float[] g) {
        if (grad != null || backward == null || g.length != data.length) {
            return false;
        }
        grad = g;
        return true;
    }

    float[] gradBuffer() {
        if (grad == null) {
            grad = Allocation.floats(data.length);
        }
        return grad;
    }

    /**
     * {@code loss.backward()}: seeds 1, runs every recorded closure once in reverse topological
     * order, accumulates into the leaves and frees the graph. The sort is iterative, so a deep
     * graph cannot overflow the stack.
     */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeException("grad can be implicitly created only for scalar outputs");
        }
        if (!requiresGrad) {
            throw new ShapeException("element 0 of tensors does not require grad and does not have a grad_fn");
        }
        List<Tensor> order = topologicalOrder();
        gradBuffer()[0] += 1f;
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Deadline.check();   // gradients half accumulated are put back by the caller's transaction
            if (t.backward != null) {
                if (t.grad != null) {
                    t.backward.apply(t.grad);
                }
                t.grad = null;       // an intermediate's gradient is not kept, as in PyTorch
                t.inputs = null;
                t.backward = null;
            }
            order.set(i, null);      // its consumers are done: what it saved (its activations) can go now
        }
    }

    /** Post-order of the graph under this tensor: inputs before the tensors computed from them. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> stack = new ArrayDeque<>();
        Deque<Integer> next = new ArrayDeque<>();   // index of the next input to visit, per stacked tensor
        stack.push(this);
        next.push(0);
        visited.add(this);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int i = next.pop();
            if (t.inputs != null && i < t.inputs.length) {
                next.push(i + 1);
                Tensor input = t.inputs[i];
                if (input != null && input.requiresGrad && visited.add(input)) {
                    stack.push(input);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return shape == null ? "UninitializedParameter"
                : "Tensor" + Shapes.format(shape) + (dtype == Dtype.FLOAT32 ? "" : "(" + dtype + ")");
    }
}
