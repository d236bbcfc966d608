package io.paramlab.formats;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A state dict kept as it is: its tensors' layout in file order, and their bytes (little-endian,
 * row-major, in their own dtype) streamed to or from whoever keeps them, one tensor at a time, so
 * no file and no tensor need fit in the heap.
 */
public final class RawTensors {
    private RawTensors() {
    }

    /**
     * One key: {@code tiedTo} is the position of the first key holding the same tensor (same
     * storage, offset, shape and strides in a torch.save file; an alias in a safetensors
     * {@code __metadata__}), whose bytes it shares; null for a tensor with bytes of its own.
     */
    public record Tensor(int position, String key, StoredDtype dtype, int[] shape, long numel, Integer tiedTo) {
        public long byteSize() {
            return numel * dtype.size();
        }
    }

    /** Where a reader puts a file: the layout first (before any data), then each untied tensor's bytes, in any order. */
    public interface Sink {
        void layout(List<Tensor> tensors);

        /** Exactly {@code length} bytes of the tensor at {@code position} are in {@code bytes}; read them all. */
        void data(int position, InputStream bytes, long length) throws IOException;
    }

    /** Where a writer takes the bytes of an untied tensor from. */
    public interface Source {
        void copyTo(int position, OutputStream out) throws IOException;
    }

    /** What a read found besides the tensors: the safetensors header as uploaded (null for torch.save). */
    public record Read(List<Tensor> tensors, byte[] safetensorsHeader) {
    }

    /** Reads exactly {@code length} bytes through {@code buf}; an early end is an EOFException. */
    static int readSome(InputStream in, byte[] buf, long remaining) throws IOException {
        int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
        if (n < 0) {
            throw new EOFException("the data ends " + remaining + " bytes early");
        }
        return n;
    }
}
