package io.paramlab.store;

import java.util.Arrays;
import java.util.Map;

/**
 * Which tensor elements a commit changed since the stored version it replaces, by state-dict key. The store
 * hashes and writes the chunks that hold changed elements and takes every other chunk from the previous version
 * (a key whose dtype, shape and chunking are as before); a key not named here is unchanged. {@link #EVERYTHING}
 * says nothing is known: every tensor is hashed (and its chunks found by digest where the store has them).
 *
 * @param everything whether every tensor may have changed
 * @param changed    the changed keys and which of their elements changed
 */
public record TensorChanges(boolean everything, Map<String, Elements> changed) {
    public static final TensorChanges EVERYTHING = new TensorChanges(true, Map.of());

    public TensorChanges {
        changed = Map.copyOf(changed);
    }

    public static TensorChanges of(Map<String, Elements> changed) {
        return new TensorChanges(false, changed);
    }

    /** Whether any element in {@code [from, to)} of the tensor at {@code key} may differ from the previous version's. */
    public boolean touches(String key, long from, long to) {
        if (everything) {
            return true;
        }
        Elements elements = changed.get(key);
        return elements != null && elements.touch(from, to);
    }

    /** What changed of one tensor. */
    public sealed interface Elements permits Whole, Some {
        boolean touch(long from, long to);
    }

    /** Any element. */
    public record Whole() implements Elements {
        @Override
        public boolean touch(long from, long to) {
            return true;
        }
    }

    /** These flat indices, sorted and distinct. */
    public record Some(int[] indices) implements Elements {
        public Some {
            indices = indices.clone();
            for (int i = 1; i < indices.length; i++) {
                if (indices[i] <= indices[i - 1]) {
                    throw new IllegalArgumentException("indices must be sorted and distinct: " + Arrays.toString(indices));
                }
            }
        }

        @Override
        public boolean touch(long from, long to) {
            int at = Arrays.binarySearch(indices, (int) Math.min(from, Integer.MAX_VALUE));
            int first = at >= 0 ? at : -at - 1;   // the first index at or after from
            return first < indices.length && indices[first] < to;
        }
    }
}
