package io.paramlab.nn;

import io.paramlab.tensor.Dtype;
import io.paramlab.tensor.Tensor;

import java.util.Arrays;

/**
 * The plain values of a float32, an int64 or a bool tensor: shape plus row-major storage, exactly
 * one of {@code floats}, {@code longs} and {@code bools} set (bool: masks, as inputs and buffers). It is how state dicts, buffers and the API's tensors
 * carry values; the arrays are shared, not copied, unless {@link #copy()} is asked for.
 */
public record TensorData(int[] shape, float[] floats, long[] longs, boolean[] bools) {

    public TensorData(int[] shape, float[] floats, long[] longs) {
        this(shape, floats, longs, null);
    }

    public static TensorData of(Tensor tensor) {
        return switch (tensor.dtype()) {
            case INT64 -> new TensorData(tensor.shape(), null, tensor.longs());
            case BOOL -> new TensorData(tensor.shape(), null, null, tensor.bools());
            case FLOAT32 -> new TensorData(tensor.shape(), tensor.data(), null);
        };
    }

    public static TensorData ofBools(boolean[] values, int... shape) {
        return new TensorData(shape, null, null, values);
    }

    public boolean isBool() {
        return bools != null;
    }

    /** A tensor over these values (shared, not copied) in their own dtype. */
    public Tensor toTensor() {
        return isFloat() ? Tensor.of(floats, shape) : isBool() ? Tensor.ofBools(bools, shape) : Tensor.ofLongs(longs, shape);
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
        return isFloat() ? "float32" : isBool() ? "bool" : "int64";
    }

    public int numel() {
        return isFloat() ? floats.length : isBool() ? bools.length : longs.length;
    }

    public TensorData copy() {
        if (isBool()) {
            return new TensorData(shape == null ? null : shape.clone(), null, null, bools.clone());
        }
        return new TensorData(shape == null ? null : shape.clone(), isFloat() ? floats.clone() : null, isFloat() ? null : longs.clone());
    }

    /** Copies {@code source}'s values into this tensor's storage; shapes are checked by the caller. */
    public void copyFrom(TensorData source) {
        if (isBool() || source.isBool()) {
            for (int i = 0; i < numel(); i++) {
                boolean b = source.isBool() ? source.bools[i] : source.isFloat() ? source.floats[i] != 0 : source.longs[i] != 0;
                if (isBool()) bools[i] = b; else if (isFloat()) floats[i] = b ? 1 : 0; else longs[i] = b ? 1 : 0;
            }
            return;
        }
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
