package io.paramlab.store;

import io.paramlab.nn.TensorData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A tensor's storage (float32, int64, or bool as one byte 0 or 1, as torch stores it) as little-endian chunks of at most {@code chunkBytes} bytes, one at a time,
 * so no whole-tensor byte array is ever built; each chunk is keyed by its SHA-256.
 */
final class TensorChunks {
    private final int chunkBytes;

    TensorChunks(int chunkBytes) {
        if (chunkBytes < 8 || chunkBytes % 8 != 0) {
            throw new IllegalArgumentException("the chunk size must be a positive multiple of 8 bytes, not " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
    }

    static int elementBytes(TensorData tensor) {
        return tensor.isFloat() ? Float.BYTES : tensor.isBool() ? 1 : Long.BYTES;
    }

    int chunkCount(TensorData tensor) {
        long bytes = (long) tensor.numel() * elementBytes(tensor);
        return (int) ((bytes + chunkBytes - 1) / chunkBytes);
    }

    int elementsPerChunk(TensorData tensor) {
        return chunkBytes / elementBytes(tensor);
    }

    /** The bytes of chunk {@code index} of the tensor's storage. */
    int chunkSize(TensorData tensor, int index) {
        int perChunk = elementsPerChunk(tensor);
        return Math.min(perChunk, tensor.numel() - index * perChunk) * elementBytes(tensor);
    }

    /** Chunk {@code index} of the tensor's storage. */
    byte[] chunk(TensorData tensor, int index) {
        int perChunk = elementsPerChunk(tensor);
        int from = index * perChunk;
        int count = Math.min(perChunk, tensor.numel() - from);
        ByteBuffer bytes = ByteBuffer.allocate(count * elementBytes(tensor)).order(ByteOrder.LITTLE_ENDIAN);
        if (tensor.isFloat()) {
            bytes.asFloatBuffer().put(tensor.floats(), from, count);
        } else if (tensor.isBool()) {
            for (int i = 0; i < count; i++) bytes.put(i, (byte) (tensor.bools()[from + i] ? 1 : 0));
        } else {
            bytes.asLongBuffer().put(tensor.longs(), from, count);
        }
        return bytes.array();
    }

    /** Writes a chunk's values into the tensor's storage from element {@code from}; answers the element count. */
    static int decodeInto(TensorData tensor, int from, byte[] chunk) {
        int count = chunk.length / elementBytes(tensor);
        if (chunk.length % elementBytes(tensor) != 0 || from + count > tensor.numel()) {
            throw new IllegalStateException("a stored chunk of " + chunk.length + " bytes does not fit a "
                    + tensor.dtype() + " tensor of " + tensor.numel() + " elements at element " + from);
        }
        ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        if (tensor.isFloat()) {
            bytes.asFloatBuffer().get(tensor.floats(), from, count);
        } else if (tensor.isBool()) {
            for (int i = 0; i < count; i++) tensor.bools()[from + i] = chunk[i] != 0;
        } else {
            bytes.asLongBuffer().get(tensor.longs(), from, count);
        }
        return count;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);   // every JDK has SHA-256
        }
    }
}
