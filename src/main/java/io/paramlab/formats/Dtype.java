package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * The element types a file may hold and how each becomes float32, int64 or bool as {@code param.copy_()}
 * casts: F64 rounds to nearest even (Java's {@code (float)} cast is that rounding), F16 and BF16
 * widen exactly, I32 widens to int64, BOOL (one byte, 0 or 1, as PyTorch writes it) stays bool. Values move little-endian through a caller's reusable
 * buffer so no whole-file byte array is ever built.
 */
enum Dtype {
    F32(4, true), F64(8, true), F16(2, true), BF16(2, true), I64(8, false), I32(4, false),
    // kept as they are by stored state dicts (StoredDtype); a model load refuses them (allocate)
    I8(1, false), U8(1, false), BOOL(1, false);

    /** The size of the buffer values stream through; a multiple of every element size. */
    static final int BUFFER_BYTES = 1 << 16;

    final int size;
    final boolean isFloat;

    Dtype(int size, boolean isFloat) {
        this.size = size;
        this.isFloat = isFloat;
    }

    /** A new array of {@code numel} float32, int64 or bool values for this type. */
    Object allocate(int numel) {
        if (this == I8 || this == U8) {
            throw new FormatException("unsupported-dtype", "a " + StoredDtype.of(this).pytorchName() + " tensor cannot be loaded "
                    + "into a model: only float32, float64, float16, bfloat16 (loaded as float32), int64, int32 (loaded as int64) and bool");
        }
        return this == BOOL ? new boolean[numel] : isFloat ? new float[numel] : new long[numel];
    }

    /** Bytes per element of the array {@link #allocate} makes (what a read charges before allocating). */
    int arrayElementBytes() {
        return this == BOOL ? 1 : isFloat ? Float.BYTES : Long.BYTES;
    }

    /** Reads {@code count} elements from {@code in} into {@code dst} (float[], long[] or boolean[]) from {@code offset}. */
    void read(InputStream in, Object dst, int offset, int count, byte[] buf) throws IOException {
        int perChunk = buf.length / size;
        while (count > 0) {
            int n = Math.min(count, perChunk);
            readFully(in, buf, n * size);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n * size).order(ByteOrder.LITTLE_ENDIAN);
            if (this == BOOL) {
                boolean[] out = (boolean[]) dst;
                for (int i = 0; i < n; i++) out[offset + i] = buf[i] != 0;
            } else if (isFloat) {
                convertFloats(b, (float[]) dst, offset, n);
            } else {
                convertLongs(b, (long[]) dst, offset, n);
            }
            offset += n;
            count -= n;
        }
    }

    private void convertFloats(ByteBuffer b, float[] dst, int offset, int n) {
        switch (this) {
            case F32:
                b.asFloatBuffer().get(dst, offset, n);
                break;
            case F64:
                for (int i = 0; i < n; i++) dst[offset + i] = (float) b.getDouble(i * 8);
                break;
            case F16:
                for (int i = 0; i < n; i++) dst[offset + i] = halfToFloat(b.getShort(i * 2) & 0xffff);
                break;
            case BF16:
                for (int i = 0; i < n; i++) dst[offset + i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                break;
            default:
                throw new IllegalStateException(name());
        }
    }

    private void convertLongs(ByteBuffer b, long[] dst, int offset, int n) {
        if (this == I64) {
            b.asLongBuffer().get(dst, offset, n);
        } else {
            for (int i = 0; i < n; i++) dst[offset + i] = b.getInt(i * 4);
        }
    }

    /** IEEE binary16 to binary32, exactly (every half is a float), NaN payloads kept as c10 keeps them. */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign != 0 ? -subnormal : subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static void readFully(InputStream in, byte[] buf, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buf, done, length - done);
            if (n < 0) {
                throw new EOFException("the file ends " + (length - done) + " bytes early");
            }
            done += n;
        }
    }

    /** Writes a float32 or int64 array little-endian, or a bool array one byte (0 or 1) per element as torch does, through {@code buf}. */
    static void write(OutputStream out, Object values, byte[] buf) throws IOException {
        int size = elementBytes(values);
        int length = length(values);
        for (int start = 0; start < length; start += buf.length / size) {
            int n = fill(values, start, Math.min(length - start, buf.length / size), buf);
            out.write(buf, 0, n);
        }
    }

    /** The CRC-32 of what {@link #write} writes, computed through the same buffer (a zip STORED entry needs it first). */
    static long crc32(Object values, byte[] buf) {
        CRC32 crc = new CRC32();
        int size = elementBytes(values);
        int length = length(values);
        for (int start = 0; start < length; start += buf.length / size) {
            crc.update(buf, 0, fill(values, start, Math.min(length - start, buf.length / size), buf));
        }
        return crc.getValue();
    }

    private static int fill(Object values, int start, int n, byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        if (values instanceof float[]) {
            b.asFloatBuffer().put((float[]) values, start, n);
            return n * 4;
        }
        if (values instanceof boolean[]) {
            boolean[] bools = (boolean[]) values;
            for (int i = 0; i < n; i++) buf[i] = (byte) (bools[start + i] ? 1 : 0);
            return n;
        }
        b.asLongBuffer().put((long[]) values, start, n);
        return n * 8;
    }

    static long byteSize(Object values) {
        return (long) elementBytes(values) * length(values);
    }

    /** 4 for a float[], 8 for a long[], 1 for a boolean[]: the bytes {@link #write} writes per element. */
    private static int elementBytes(Object values) {
        return values instanceof float[] ? 4 : values instanceof boolean[] ? 1 : 8;
    }

    private static int length(Object values) {
        return values instanceof float[] ? ((float[]) values).length
                : values instanceof boolean[] ? ((boolean[]) values).length : ((long[]) values).length;
    }

    /** A tensor over a float[], long[] or boolean[] read by {@link #read} (shared, not copied). */
    static TensorData tensor(Object values, int[] shape) {
        return values instanceof float[] ? TensorData.ofFloats((float[]) values, shape)
                : values instanceof boolean[] ? TensorData.ofBools((boolean[]) values, shape) : TensorData.ofLongs((long[]) values, shape);
    }
}
