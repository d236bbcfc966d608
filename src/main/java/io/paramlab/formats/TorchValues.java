package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the unpickled graph into the values callers see, once every storage is read: each
 * {@link TensorRef} becomes a TensorData (a tensor spanning its whole storage contiguously shares
 * the storage's array, so tied keys stay one array; any other view is gathered honouring offset
 * and strides), containers are copied with an identity memo (so shared and even cyclic pickles
 * terminate) and nesting is bounded.
 */
final class TorchValues {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final PickleLimits limits;
    private final ArrayBudget budget;   // a gathered view is a new array
    private final Map<Object, Object> done = new IdentityHashMap<>();
    private final Map<ViewKey, TensorData> views = new java.util.HashMap<>();
    private long gatheredBytes;

    TorchValues(PickleLimits limits) {
        this(limits, ArrayBudget.NONE);
    }

    TorchValues(PickleLimits limits, ArrayBudget budget) {
        this.budget = budget;
        this.limits = limits;
    }

    Object resolve(Object value) {
        return resolve(value, 0);
    }

    @SuppressWarnings("unchecked")
    private Object resolve(Object value, int depth) {
        if (value instanceof TensorRef) {
            return tensor((TensorRef) value);
        }
        if (!(value instanceof List) && !(value instanceof PyDict)) {
            if (value instanceof Storage || value instanceof Unpickler.Global) {
                throw new FormatException("invalid-pickle", "the pickle holds a bare storage or global, not data");
            }
            return value;
        }
        if (depth > limits.maxDepth()) {
            throw new FormatException("too-deep", "the file's values nest more than " + limits.maxDepth() + " levels deep");
        }
        Object seen = done.get(value);
        if (seen != null) {
            return seen;
        }
        if (value instanceof PyDict) {
            PyDict copy = new PyDict();
            done.put(value, copy);
            for (Map.Entry<Object, Object> e : ((PyDict) value).entrySet()) {
                copy.put(resolve(e.getKey(), depth + 1), resolve(e.getValue(), depth + 1));
            }
            for (Map.Entry<String, Object> e : ((PyDict) value).attributes().entrySet()) {
                copy.attributes().put(e.getKey(), resolve(e.getValue(), depth + 1));
            }
            return copy;
        }
        List<Object> items = new ArrayList<>();
        boolean tuple = !(value instanceof ArrayList);
        // a list may contain itself, so it is memoized before its items; a tuple cannot
        List<Object> result = tuple ? Collections.unmodifiableList(items) : items;
        done.put(value, result);
        for (Object item : (List<Object>) value) {
            items.add(resolve(item, depth + 1));
        }
        return result;
    }

    private TensorData tensor(TensorRef ref) {
        ViewKey key = new ViewKey(ref.storage(), ref.offset(), ref.size(), ref.stride());
        TensorData t = views.get(key);
        if (t == null) {
            t = view(ref);
            views.put(key, t);
        }
        return t;
    }

    private TensorData view(TensorRef ref) {
        try {
            return checkedView(ref);
        } catch (ArithmeticException overflow) {
            throw new FormatException("view-out-of-bounds", "a tensor's offset and strides overflow");
        }
    }

    private TensorData checkedView(TensorRef ref) {
        Storage s = ref.storage();
        int[] size = ref.size();
        long[] stride = ref.stride();
        long numel = 1;
        long last = ref.offset();
        boolean contiguous = ref.offset() == 0;
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            numel = Math.multiplyExact(numel, size[d]);
            if (numel > MAX_ARRAY) {
                throw new FormatException("tensor-too-large", "a tensor has " + numel + "+ elements, more than one array holds");
            }
            if (size[d] > 1 && stride[d] != expected) {
                contiguous = false;
            }
            expected *= size[d];
            last = Math.addExact(last, Math.multiplyExact((long) Math.max(size[d] - 1, 0), stride[d]));
        }
        if (numel > 0 && last >= s.numel) {
            throw new FormatException("view-out-of-bounds", "a tensor of size " + Arrays.toString(size) + ", stride "
                    + Arrays.toString(stride) + " and offset " + ref.offset() + " reaches past the end of storage '"
                    + s.key + "' of " + s.numel + " elements");
        }
        if (contiguous && numel == s.numel) {
            return Dtype.tensor(s.values, size.clone());
        }
        gatheredBytes += numel * s.dtype.arrayElementBytes();
        if (gatheredBytes > limits.maxBytes()) {
            throw new FormatException("too-large", "the file's tensor views expand to more than " + limits.maxBytes()
                    + " bytes, over the limit");
        }
        budget.reserve(numel, numel * s.dtype.arrayElementBytes());
        return gather(s.values, (int) numel, ref.offset(), size, stride);
    }

    /** The elements of a strided view in row-major order, walking an index odometer. */
    private static TensorData gather(Object storage, int numel, long offset, int[] size, long[] stride) {
        float[] fin = storage instanceof float[] ? (float[]) storage : null;
        boolean[] bin = storage instanceof boolean[] ? (boolean[]) storage : null;
        long[] lin = fin == null && bin == null ? (long[]) storage : null;
        float[] fout = fin != null ? new float[numel] : null;
        boolean[] bout = bin != null ? new boolean[numel] : null;
        long[] lout = lin != null ? new long[numel] : null;
        int[] index = new int[size.length];
        long at = offset;
        for (int i = 0; i < numel; i++) {
            if (fin != null) {
                fout[i] = fin[(int) at];
            } else if (bin != null) {
                bout[i] = bin[(int) at];
            } else {
                lout[i] = lin[(int) at];
            }
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    at += stride[d];
                    break;
                }
                at -= (long) (size[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return fin != null ? TensorData.ofFloats(fout, size.clone())
                : bin != null ? TensorData.ofBools(bout, size.clone()) : TensorData.ofLongs(lout, size.clone());
    }

    /** Two references to the same view of the same storage are one tensor, as in the file. */
    private record ViewKey(Storage storage, long offset, int[] size, long[] stride) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ViewKey && ((ViewKey) o).storage == storage && ((ViewKey) o).offset == offset
                    && Arrays.equals(((ViewKey) o).size, size) && Arrays.equals(((ViewKey) o).stride, stride);
        }

        @Override
        public int hashCode() {
            return Objects.hash(System.identityHashCode(storage), offset, Arrays.hashCode(size), Arrays.hashCode(stride));
        }
    }

    // --- words for messages

    static String describe(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof TensorData) {
            return "a tensor";
        } else if (v instanceof String) {
            return "a str";
        } else if (v instanceof Long || v instanceof BigInteger) {
            return "an int";
        } else if (v instanceof Double) {
            return "a float";
        } else if (v instanceof Boolean) {
            return "a bool";
        } else if (v instanceof Map) {
            return "a dict";
        } else if (v instanceof ArrayList) {
            return "a list";
        } else if (v instanceof List) {
            return "a tuple";
        }
        return "a " + v.getClass().getSimpleName();
    }

    static String describeKey(Object k) {
        if (k instanceof String) {
            String s = (String) k;
            return "'" + (s.length() > 100 ? s.substring(0, 100) + "..." : s) + "'";
        }
        return k instanceof Long || k instanceof Boolean || k == null ? String.valueOf(k) : describe(k);
    }

    static boolean hasDictEntries(Map<?, ?> map) {
        return map.values().stream().anyMatch(v -> v instanceof Map);
    }

    static String dictKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        map.forEach((k, v) -> {
            if (v instanceof Map && keys.size() < 10) {
                keys.add(describeKey(k));
            }
        });
        return String.join(", ", keys);
    }
}
