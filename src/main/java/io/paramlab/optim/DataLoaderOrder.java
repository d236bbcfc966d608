package io.paramlab.optim;

import io.paramlab.tensor.Generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The batches of PyTorch 1.13's {@code DataLoader(TensorDataset(X, y), batch_size, shuffle,
 * generator=g, drop_last)}, epoch by epoch, drawing from {@code g} exactly as it does: each
 * epoch's iterator first takes one int64 {@code random_()} (its base seed, two 32-bit draws);
 * with shuffling, {@code RandomSampler} then runs {@code randperm(n)}, and once the last index
 * has been taken it runs one more {@code randperm(n)} (for its empty tail) that is discarded.
 */
public final class DataLoaderOrder {
    private final int size;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Generator generator;

    public DataLoaderOrder(int size, int batchSize, boolean shuffle, boolean dropLast, Generator generator) {
        if (size < 1 || batchSize < 1) {
            throw new IllegalArgumentException("size and batch_size must be positive, not " + size + " and " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.generator = generator;
    }

    /** {@code len(loader)}. */
    public int batchesPerEpoch() {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** One {@code for xb, yb in loader} pass: the row indices of each batch, in order. */
    public List<int[]> nextEpoch() {
        generator.nextUint64();                       // _BaseDataLoaderIter's _base_seed
        int[] order;
        if (shuffle) {
            order = randperm(size, generator);
            randperm(size, generator);                // RandomSampler's randperm(n)[:n % n], run after the last index
        } else {
            order = new int[size];
            Arrays.setAll(order, i -> i);
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < size; start += batchSize) {
            int end = Math.min(start + batchSize, size);
            if (end - start < batchSize && dropLast) {
                break;
            }
            batches.add(Arrays.copyOfRange(order, start, end));
        }
        return batches;
    }

    /** {@code torch.randperm(n, generator=g)} on CPU (1.13): swaps with {@code r[i + draw() % (n - i)]}. */
    public static int[] randperm(int n, Generator generator) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (Integer.toUnsignedLong(generator.nextUint32()) % (n - i));
            int saved = r[i];
            r[i] = r[i + z];
            r[i + z] = saved;
        }
        return r;
    }
}
