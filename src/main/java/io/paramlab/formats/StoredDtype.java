package io.paramlab.formats;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The dtypes a stored state dict keeps as they are (API.md, "State dicts without a model"): their
 * PyTorch name, safetensors code, torch.save storage class and element size. Values are read as
 * float64 from little-endian bytes for statistics and diffs; nothing is ever widened on disk.
 */
public enum StoredDtype {
    FLOAT32("float32", "F32", "FloatStorage", 4, Dtype.F32),
    FLOAT64("float64", "F64", "DoubleStorage", 8, Dtype.F64),
    FLOAT16("float16", "F16", "HalfStorage", 2, Dtype.F16),
    BFLOAT16("bfloat16", "BF16", "BFloat16Storage", 2, Dtype.BF16),
    INT64("int64", "I64", "LongStorage", 8, Dtype.I64),
    INT32("int32", "I32", "IntStorage", 4, Dtype.I32),
    INT8("int8", "I8", "CharStorage", 1, Dtype.I8),
    UINT8("uint8", "U8", "ByteStorage", 1, Dtype.U8),
    BOOL("bool", "BOOL", "BoolStorage", 1, Dtype.BOOL);

    private final String pytorchName;
    private final String safetensorsCode;
    private final String storageClass;
    private final int size;
    private final Dtype codec;

    StoredDtype(String pytorchName, String safetensorsCode, String storageClass, int size, Dtype codec) {
        this.pytorchName = pytorchName;
        this.safetensorsCode = safetensorsCode;
        this.storageClass = storageClass;
        this.size = size;
        this.codec = codec;
    }

    /** {@code float32}, {@code bfloat16}, ...: the name JSON tensors and summaries carry. */
    public String pytorchName() {
        return pytorchName;
    }

    public String safetensorsCode() {
        return safetensorsCode;
    }

    String storageClass() {
        return storageClass;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** The dtype named {@code name} ({@code float32}, ...), or null. */
    public static StoredDtype named(String name) {
        return Arrays.stream(values()).filter(d -> d.pytorchName.equals(name)).findFirst().orElse(null);
    }

    /** The dtype of safetensors code {@code code} ({@code BF16}, ...), or null for one not kept. */
    public static StoredDtype ofSafetensors(String code) {
        return Arrays.stream(values()).filter(d -> d.safetensorsCode.equals(code)).findFirst().orElse(null);
    }

    static StoredDtype of(Dtype codec) {
        return Arrays.stream(values()).filter(d -> d.codec == codec).findFirst().orElseThrow();
    }

    /** Element {@code index} of little-endian {@code bytes} as float64, exactly (int64 past 2^53 rounds, as torch's .double()). */
    public double doubleAt(ByteBuffer bytes, int index) {
        int at = index * size;
        return switch (this) {
            case FLOAT32 -> bytes.getFloat(at);
            case FLOAT64 -> bytes.getDouble(at);
            case FLOAT16 -> Dtype.halfToFloat(bytes.getShort(at) & 0xffff);
            case BFLOAT16 -> Float.intBitsToFloat((bytes.getShort(at) & 0xffff) << 16);
            case INT64 -> bytes.getLong(at);
            case INT32 -> bytes.getInt(at);
            case INT8 -> bytes.get(at);
            case UINT8 -> bytes.get(at) & 0xff;
            case BOOL -> bytes.get(at) != 0 ? 1 : 0;
        };
    }

    /** Element {@code index} as an int64 (integer and bool dtypes). */
    public long longAt(ByteBuffer bytes, int index) {
        int at = index * size;
        return switch (this) {
            case INT64 -> bytes.getLong(at);
            case INT32 -> bytes.getInt(at);
            case INT8 -> bytes.get(at);
            case UINT8, BOOL -> bytes.get(at) & 0xff;
            default -> (long) doubleAt(bytes, index);
        };
    }
}
