package io.paramlab.nn;

import io.paramlab.tensor.Dtype;
import io.paramlab.tensor.Tensor;

import java.util.Arrays;

/**
 * The plain values of a float32 or an int64 tensor: shape plus row-major storage, exactly one
 * of {@code floats} and {@code longs} set. It is how state dicts, buffers and the API's tensors
 * carry values; the arrays are shared, not copied, unless {@link #copy()} is asked for.
 */
public record TensorData(int[] shape, float[] floats, long[] longs) {

    public static TensorData of(Tensor tensor) {
        return tensor.dtype() == Dtype.INT64 ? new TensorData(tensor.shape(), null, tensor.longs())
                : new TensorData(tensor.shape(), tensor.data(), null);
    }

    public static TensorData ofFloats(float[] values, int... shape) {
        return new TensorData(shape, values, null);
    }

    public static TensorData ofLongs(long[] values, int... shape) {
        return new TensorData(shape, null, values);
    }

    public boolean isFloat() {
        return floats != null;
    }

    public String dtype() {
        return isFloat() ? "float32" : "int64";
    }

    public int numel() {
        return isFloat() ? floats.length : longs.length;
    }

    public TensorData copy() {
        return new TensorData(shape == null ? null : shape.clone(), isFloat() ? floats.clone() : null, isFloat() ? null : longs.clone());
    }

    /** Copies {@code source}'s values into this tensor's storage; shapes are checked by the caller. */
    public void copyFrom(TensorData source) {
        if (isFloat()) {
            if (source.isFloat()) {
                System.arraycopy(source.floats, 0, floats, 0, floats.length);
            } else {
                for (int i = 0; i < floats.length; i++) floats[i] = source.longs[i];
            }
        } else if (source.isFloat()) {
            for (int i = 0; i < longs.length; i++) longs[i] = (long) source.floats[i];
        } else {
            System.arraycopy(source.longs, 0, longs, 0, longs.length);
        }
    }

    /** Equal shapes; an uninitialized parameter (no shape) matches nothing. */
    public boolean sameShape(TensorData other) {
        return Arrays.equals(shape, other.shape);
    }

    /** {@code torch.Size([2, 3])}, as PyTorch prints shapes in its messages. */
    public static String torchSize(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }
}
