package io.paramlab.formats;

/**
 * A storage a pickle names by persistent id {@code ('storage', torch.FloatStorage, key, location,
 * numel)}: its values arrive later from the zip entry {@code <archive>/data/<key>}. One instance
 * per key, so tensors that share a storage share this object and, once read, its array.
 */
final class Storage {
    final String key;
    final Dtype dtype;
    final long numel;
    /** float[], long[] or boolean[] once the entry is read; null until then. */
    Object values;

    Storage(String key, Dtype dtype, long numel) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
    }

    long byteSize() {
        return numel * dtype.size;
    }
}
