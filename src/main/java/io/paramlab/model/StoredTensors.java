package io.paramlab.model;

import io.paramlab.formats.RawTensors;
import io.paramlab.formats.StoredDtype;
import io.paramlab.nn.TensorData;
import io.paramlab.nn.TensorStats;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.spec.LimitExceededException;
import io.paramlab.store.StateDictStore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads of a stored state dict's tensors, chunk by chunk from the store, never a whole file in
 * memory: a tensor or a slice of it in its own dtype, statistics and diffs in float64, and the
 * tensors a model load takes (converted as {@code param.copy_()} does).
 */
public final class StoredTensors {
    private final StateDictStore store;
    private final StateDictStore.Contents contents;

    public StoredTensors(StateDictStore store, StateDictStore.Contents contents) {
        this.store = store;
        this.contents = contents;
    }

    public List<RawTensors.Tensor> tensors() {
        return contents.tensors();
    }

    /** A tensor's values in its own dtype, little-endian: {@code shape} and {@code bytes}. */
    public record Values(int[] shape, StoredDtype dtype, byte[] bytes) {
    }

    public RawTensors.Tensor tensor(String key) {
        return contents.tensors().stream().filter(t -> t.key().equals(key)).findFirst()
                .orElseThrow(() -> new NotFoundException("tensor", "the state dict has no tensor \"" + key + "\""));
    }

    /** The elements of one tensor, read in order from its chunks as float64. */
    private final class Cursor {
        private final RawTensors.Tensor tensor;
        private final int stored;
        private final int perChunk;
        private ByteBuffer chunk;
        private int seq = -1;

        Cursor(RawTensors.Tensor tensor) {
            this.tensor = tensor;
            this.stored = tensor.tiedTo() == null ? tensor.position() : tensor.tiedTo();
            this.perChunk = store.chunkSize() / tensor.dtype().size();
        }

        double at(long index) {
            return tensor.dtype().doubleAt(chunkOf(index), (int) (index % perChunk));
        }

        /** The element as an int64 (integer and bool dtypes): what equality compares, past 2^53 too. */
        long longAt(long index) {
            return tensor.dtype().longAt(chunkOf(index), (int) (index % perChunk));
        }

        ByteBuffer chunkOf(long index) {
            int wanted = (int) (index / perChunk);
            if (wanted != seq) {
                chunk = ByteBuffer.wrap(store.chunk(contents.stateId(), stored, wanted)).order(ByteOrder.LITTLE_ENDIAN);
                seq = wanted;
            }
            return chunk;
        }

        int offsetInChunk(long index) {
            return (int) (index % perChunk) * tensor.dtype().size();
        }
    }

    // --- one tensor, sliced

    /** {@code ?slice=} (numpy basic indexing per dimension) of the tensor, within {@code maxElements}. */
    public Values slice(RawTensors.Tensor tensor, String slice, long maxElements) {
        Slice s = Slice.parse(slice, tensor.shape());
        long numel = 1;
        for (int d : s.shape()) {
            numel *= d;
        }
        if (numel > maxElements) {
            throw new LimitExceededException("slice", "max-json-answer-elements", numel, maxElements, "tensor \"" + tensor.key()
                    + "\" answers " + numel + " elements, over paramlab.limits.max-json-answer-elements (" + maxElements
                    + "); ask for a part of it with ?slice= or download the file");
        }
        int size = tensor.dtype().size();
        byte[] out = new byte[Math.toIntExact(numel * size)];
        Cursor cursor = new Cursor(tensor);
        long[] flat = s.indices();
        for (int i = 0; i < flat.length; i++) {
            ByteBuffer chunk = cursor.chunkOf(flat[i]);
            chunk.get(cursor.offsetInChunk(flat[i]), out, i * size, size);
        }
        return new Values(s.shape(), tensor.dtype(), out);
    }

    /** numpy basic indexing: per dimension {@code a:b:c} (steps > 0, negative indices from the end) or an integer (dropped). */
    record Slice(int[] shape, int[] dims, long[] starts, long[] steps, int[] source) {
        static Slice parse(String text, int[] shape) {
            String[] parts = text == null || text.isEmpty() ? new String[0] : text.split(",", -1);
            if (parts.length > shape.length) {
                throw new InvalidInputException("slice", "too many indices for a tensor of dimension " + shape.length
                        + " (" + parts.length + " given)");
            }
            List<Integer> outShape = new ArrayList<>();
            int[] counts = new int[shape.length];
            long[] starts = new long[shape.length];
            long[] steps = new long[shape.length];
            for (int d = 0; d < shape.length; d++) {
                String p = d < parts.length ? parts[d].trim() : ":";
                long n = shape[d];
                if (!p.contains(":")) {
                    long i = integer(p, d);
                    if (i < -n || i >= n) {
                        throw new InvalidInputException("slice", "index " + i + " is out of bounds for dimension " + d + " with size " + n);
                    }
                    starts[d] = i < 0 ? i + n : i;
                    counts[d] = 1;
                    steps[d] = 1;
                    continue;
                }
                String[] f = p.split(":", -1);
                if (f.length > 3) {
                    throw new InvalidInputException("slice", "\"" + p + "\" is not start:stop:step");
                }
                long step = f.length == 3 && !f[2].isBlank() ? integer(f[2], d) : 1;
                if (step <= 0) {
                    throw new InvalidInputException("slice", "step must be greater than zero, got " + step + " for dimension " + d);
                }
                long start = f[0].isBlank() ? 0 : clamp(integer(f[0], d), n);
                long stop = f[1].isBlank() ? n : clamp(integer(f[1], d), n);
                int count = (int) Math.max(0, (stop - start + step - 1) / step);
                starts[d] = start;
                steps[d] = step;
                counts[d] = count;
                outShape.add(count);
            }
            return new Slice(outShape.stream().mapToInt(Integer::intValue).toArray(), counts, starts, steps, shape);
        }

        private static long integer(String p, int d) {
            try {
                return Long.parseLong(p.trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("slice", "\"" + p + "\" in dimension " + d + " is not an integer");
            }
        }

        private static long clamp(long i, long n) {
            return i < 0 ? Math.max(0, i + n) : Math.min(i, n);
        }

        /** The flat indices of the selected elements, in row-major order of the result. */
        long[] indices() {
            int rank = dims.length;
            long total = 1;
            for (int c : dims) {
                total *= c;
            }
            long[] strides = new long[rank];
            long step = 1;
            for (int d = rank - 1; d >= 0; d--) {
                strides[d] = step;
                step *= sourceSize(d);
            }
            long[] out = new long[(int) total];
            int[] index = new int[rank];
            for (int i = 0; i < total; i++) {
                long flat = 0;
                for (int d = 0; d < rank; d++) {
                    flat += (starts[d] + index[d] * steps[d]) * strides[d];
                }
                out[i] = flat;
                for (int d = rank - 1; d >= 0; d--) {
                    if (++index[d] < dims[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            return out;
        }

        private long sourceSize(int d) {
            return source[d];
        }
    }

    // --- statistics and diffs in float64

    public TensorStats stats(RawTensors.Tensor tensor, int bins) {
        TensorStats.InFloat64 stats = new TensorStats.InFloat64(bins);
        Cursor first = new Cursor(tensor);
        for (long i = 0; i < tensor.numel(); i++) {
            stats.first(first.at(i));
        }
        if (stats.needsSecondPass()) {
            Cursor second = new Cursor(tensor);
            for (long i = 0; i < tensor.numel(); i++) {
                stats.second(second.at(i));
            }
        }
        return stats.result();
    }

    /** Every element of a tensor as float64, in order (for spectra, which need a matrix whole). */
    public double[] doubles(RawTensors.Tensor tensor) {
        if (tensor.numel() > Integer.MAX_VALUE - 8) {
            throw new LimitExceededException("prefix", "max-array", tensor.numel(), Integer.MAX_VALUE - 8,
                    "tensor \"" + tensor.key() + "\" has " + tensor.numel() + " elements, more than one array holds");
        }
        double[] out = new double[(int) tensor.numel()];
        Cursor cursor = new Cursor(tensor);
        for (int i = 0; i < out.length; i++) {
            out[i] = cursor.at(i);
        }
        return out;
    }

    /** One key of a diff: as the checkpoint diff's rows, B − A in float64. */
    public record DiffRow(String key, int[] shape, long changedElements, double maxAbsDiff, double l2Diff, Double relativeL2) {
    }

    public record Mismatch(String key, int[] fromShape, int[] toShape, String fromDtype, String toDtype) {
    }

    public record Diff(List<DiffRow> keys, List<String> onlyInFrom, List<String> onlyInTo, List<Mismatch> mismatched) {
    }

    /** {@code to} − {@code this}: rows for keys in both with one shape, in this dict's order. */
    public Diff diff(StoredTensors to) {
        Map<String, RawTensors.Tensor> theirs = new LinkedHashMap<>();
        to.tensors().forEach(t -> theirs.put(t.key(), t));
        List<DiffRow> rows = new ArrayList<>();
        List<String> onlyInFrom = new ArrayList<>();
        List<Mismatch> mismatched = new ArrayList<>();
        for (RawTensors.Tensor a : tensors()) {
            RawTensors.Tensor b = theirs.get(a.key());
            if (b == null) {
                onlyInFrom.add(a.key());
                continue;
            }
            boolean sameShape = Arrays.equals(a.shape(), b.shape());
            if (!sameShape || a.dtype() != b.dtype()) {
                mismatched.add(new Mismatch(a.key(), a.shape(), b.shape(), a.dtype().pytorchName(), b.dtype().pytorchName()));
            }
            if (sameShape) {
                rows.add(row(a, to, b));
            }
        }
        Map<String, Boolean> ours = new LinkedHashMap<>();
        tensors().forEach(t -> ours.put(t.key(), true));
        List<String> onlyInTo = to.tensors().stream().map(RawTensors.Tensor::key).filter(k -> !ours.containsKey(k)).toList();
        return new Diff(rows, onlyInFrom, onlyInTo, mismatched);
    }

    private DiffRow row(RawTensors.Tensor a, StoredTensors to, RawTensors.Tensor b) {
        Cursor ca = new Cursor(a);
        Cursor cb = to.new Cursor(b);
        long changed = 0;
        double maxAbs = 0;
        double sumSquares = 0;
        double baseSquares = 0;
        // integers are equal as integers (torch.equal), not through float64 where 2^53 + 1 is 2^53; B − A stays float64
        boolean integers = !a.dtype().isFloatingPoint() && !b.dtype().isFloatingPoint()
                && a.dtype() != StoredDtype.BOOL && b.dtype() != StoredDtype.BOOL;   // a bool as 0 or 1, exact in float64
        for (long i = 0; i < a.numel(); i++) {
            double x;
            double y;
            boolean same;
            if (integers) {
                long p = ca.longAt(i);
                long q = cb.longAt(i);
                x = p;
                y = q;
                same = p == q;
            } else {
                x = ca.at(i);
                y = cb.at(i);
                same = x == y || (Double.isNaN(x) && Double.isNaN(y));
            }
            baseSquares += x * x;
            if (same) {
                continue;   // an unchanged NaN or infinity is no difference
            }
            changed++;
            double abs = Math.abs(y - x);
            if (Double.isNaN(abs) || abs > maxAbs) {
                maxAbs = Double.isNaN(maxAbs) ? maxAbs : abs;
            }
            double d = y - x;
            sumSquares += d * d;
        }
        double l2 = Math.sqrt(sumSquares);
        double base = Math.sqrt(baseSquares);
        return new DiffRow(a.key(), a.shape(), changed, maxAbs, l2, base == 0 ? null : l2 / base);
    }

    // --- into a model

    /**
     * The tensors as a load takes them: float64, float16 and bfloat16 rounded to float32 as
     * {@code param.copy_()} rounds, int32 widened to int64, bool kept, a tie the same array; int8
     * and uint8 refused. {@code maxElements} is charged before anything is allocated.
     */
    public Map<String, TensorData> forLoad(long maxElements) {
        return forLoad(maxElements, io.paramlab.formats.ArrayBudget.NONE);
    }

    /** {@link #forLoad(long)}, the arrays reserved from {@code budget} before any is allocated. */
    public Map<String, TensorData> forLoad(long maxElements, io.paramlab.formats.ArrayBudget budget) {
        long elements = 0;
        for (RawTensors.Tensor t : tensors()) {
            if (t.tiedTo() == null) {
                elements += t.numel();
            }
            if (t.dtype() == StoredDtype.INT8 || t.dtype() == StoredDtype.UINT8) {
                throw new InvalidInputException("from", "tensor \"" + t.key() + "\" is " + t.dtype().pytorchName()
                        + "; a model loads float32, float64, float16, bfloat16 (as float32), int64, int32 (as int64) and bool");
            }
        }
        if (elements > maxElements) {
            throw new LimitExceededException("from", "max-parameters-per-model", elements, maxElements, "the state dict holds "
                    + elements + " elements, more than a model may (paramlab.limits.max-parameters-per-model, " + maxElements + ")");
        }
        budget.reserve(elements, loadBytes(tensors()));
        Map<String, TensorData> out = new LinkedHashMap<>();
        Map<Integer, TensorData> byPosition = new LinkedHashMap<>();
        for (RawTensors.Tensor t : tensors()) {
            TensorData data;
            if (t.tiedTo() != null) {
                TensorData kept = byPosition.get(t.tiedTo());
                data = new TensorData(t.shape().clone(), kept.floats(), kept.longs(), kept.bools());
            } else {
                int n = (int) t.numel();
                Cursor c = new Cursor(t);
                if (t.dtype().isFloatingPoint()) {
                    float[] values = new float[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = (float) c.at(i);
                    }
                    data = TensorData.ofFloats(values, t.shape().clone());
                } else if (t.dtype() == StoredDtype.BOOL) {
                    boolean[] values = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = t.dtype().longAt(c.chunkOf(i), (int) (i % c.perChunk)) != 0;
                    }
                    data = TensorData.ofBools(values, t.shape().clone());
                } else {
                    long[] values = new long[n];
                    for (int i = 0; i < n; i++) {
                        values[i] = t.dtype().longAt(c.chunkOf(i), (int) (i % c.perChunk));
                    }
                    data = TensorData.ofLongs(values, t.shape().clone());
                }
            }
            byPosition.put(t.position(), data);
            out.put(t.key(), data);
        }
        return out;
    }

    /** The bytes a load's arrays take for {@code tensors}: float32 for every floating-point dtype, one byte for bool, int64 for the others; ties once. */
    public static long loadBytes(List<RawTensors.Tensor> tensors) {
        long bytes = 0;
        for (RawTensors.Tensor t : tensors) {
            if (t.tiedTo() == null) {
                bytes += t.numel() * (t.dtype().isFloatingPoint() ? Float.BYTES : t.dtype() == StoredDtype.BOOL ? 1 : Long.BYTES);
            }
        }
        return bytes;
    }
}
