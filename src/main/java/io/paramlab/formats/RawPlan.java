package io.paramlab.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a torch.save file's storages become a stored state dict's tensors, decided from the pickle
 * before any storage arrives: the keys in dict order, a key tied to the first key with the same
 * view (storage, offset, shape, strides), and per storage its distinct views. A storage whose one
 * view spans it whole and contiguously streams through; any other is read whole (at most one
 * array's worth) and its views gathered.
 */
final class RawPlan {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** A storage shared by several views up to this size is read into the heap; a larger one is spooled to a file. */
    static final int IN_HEAP = 16 << 20;

    private final String key;
    private final RawTensors.Sink sink;
    private final PickleLimits limits;
    final List<RawTensors.Tensor> tensors = new ArrayList<>();
    private final Map<Storage, List<TensorRef>> views = new IdentityHashMap<>();
    private final Map<TensorRef, Integer> positions = new IdentityHashMap<>();
    private final Set<String> filled = new HashSet<>();
    private long gatheredBytes;

    RawPlan(String key, RawTensors.Sink sink, PickleLimits limits) {
        this.key = key;
        this.sink = sink;
        this.limits = limits;
    }

    void plan(Unpickler.Result pickle) {
        Object root = pickle.value();
        Object selected = root;
        if (key != null) {
            if (!(root instanceof Map) || !((Map<?, ?>) root).containsKey(key)) {
                throw new FormatException("missing-key", "the file holds no dict entry '" + key + "'");
            }
            selected = ((Map<?, ?>) root).get(key);
        }
        if (!(selected instanceof Map)) {
            throw new FormatException("not-a-state-dict", (key == null ? "the file" : "entry '" + key + "'")
                    + " holds " + TorchValues.describe(selected) + ", not a dict of tensors");
        }
        Map<ViewKey, Integer> first = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) selected).entrySet()) {
            if (!(e.getKey() instanceof String)) {   // was "entry 1 holds a tensor, not a tensor"
                throw new FormatException("not-a-state-dict", "entry " + TorchValues.describeKey(e.getKey()) + " has "
                        + TorchValues.describe(e.getKey()) + " for its key; a state dict's keys are strings");
            }
            if (!(e.getValue() instanceof TensorRef ref)) {
                String hint = key == null && ((Map<?, ?>) selected).values().stream().anyMatch(v -> v instanceof Map)
                        ? "; for a checkpoint, choose its state dict with ?key=" : "";
                throw new FormatException("not-a-state-dict", "entry " + TorchValues.describeKey(e.getKey()) + " holds "
                        + (e.getValue() instanceof TensorRef ? "a tensor" : TorchValues.describe(e.getValue()))
                        + ", not a tensor" + hint);
            }
            long numel = checkedNumel(ref);
            int position = tensors.size();
            Integer tiedTo = first.putIfAbsent(new ViewKey(ref), position);
            StoredDtype dtype = StoredDtype.of(ref.storage().dtype);
            tensors.add(new RawTensors.Tensor(position, (String) e.getKey(), dtype, ref.size().clone(), numel, tiedTo));
            if (tiedTo == null) {
                views.computeIfAbsent(ref.storage(), s -> new ArrayList<>()).add(ref);
                positions.put(ref, position);
            }
        }
        long total = 0;
        for (Storage s : views.keySet()) {
            total += s.byteSize();
            if (total > limits.maxBytes()) {
                throw new FormatException("too-large", "the file's storages need more than " + limits.maxBytes()
                        + " bytes, over the limit of " + limits.maxBytes());
            }
        }
        sink.layout(List.copyOf(tensors));
    }

    boolean filled(Storage s) {
        return filled.contains(s.key) || !views.containsKey(s);
    }

    /** The storage's entry, {@code s.byteSize()} bytes, into the sink. */
    void fill(Storage s, InputStream entry, byte[] buf) throws IOException {
        List<TensorRef> refs = views.get(s);
        if (refs == null) {   // a storage no key of the chosen dict uses (an optimizer's state): read past it
            for (long left = s.byteSize(); left > 0; ) {
                left -= RawTensors.readSome(entry, buf, left);
            }
            return;
        }
        if (!filled.add(s.key)) {
            throw new FormatException("invalid-zip", "the zip holds storage '" + s.key + "' twice");
        }
        if (refs.size() == 1 && whole(refs.get(0))) {
            sink.data(positions.get(refs.get(0)), entry, s.byteSize());
            return;
        }
        if (s.byteSize() > MAX_ARRAY) {
            throw new FormatException("tensor-too-large", "storage '" + s.key + "' holds views of " + s.byteSize()
                    + " bytes; a storage shared by several views must fit one array");
        }
        if (s.byteSize() <= IN_HEAP) {
            byte[] storage = entry.readNBytes((int) s.byteSize());
            if (storage.length != s.byteSize()) {
                throw new java.io.EOFException("storage '" + s.key + "' is cut short");
            }
            gatherViews(s, refs, ByteBuffer.wrap(storage));
            return;
        }
        // a larger one is spooled to a file and its views gathered from the file's mapping: read into the heap
        // whole, unbudgeted, a 300 MB storage ended a service of -Xmx256m (OutOfMemoryError)
        Path spool = Files.createTempFile("paramlab-storage", ".bin");
        try (FileChannel channel = FileChannel.open(spool, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE)) {
            ByteBuffer chunk = ByteBuffer.wrap(buf);
            for (long left = s.byteSize(); left > 0; ) {
                int r = entry.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new java.io.EOFException("storage '" + s.key + "' is cut short");
                }
                chunk.clear().limit(r);
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
                left -= r;
            }
            gatherViews(s, refs, channel.map(FileChannel.MapMode.READ_ONLY, 0, s.byteSize()));
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private void gatherViews(Storage s, List<TensorRef> refs, ByteBuffer storage) throws IOException {
        int size = s.dtype.size;
        for (TensorRef ref : refs) {
            long numel = checkedNumel(ref);
            gatheredBytes += numel * size;
            if (gatheredBytes > limits.maxBytes()) {
                throw new FormatException("too-large", "the file's tensor views expand to more than " + limits.maxBytes()
                        + " bytes, over the limit of " + limits.maxBytes());
            }
            // streamed, not gathered into one array: a view may be far larger than its storage (a stride of 0
            // makes 240 MB of 4 bytes), and an array of it was allocated unbudgeted (OutOfMemoryError)
            sink.data(positions.get(ref), new Gathered(storage, size, numel, ref), numel * size);
        }
    }

    private static boolean whole(TensorRef ref) {
        if (ref.offset() != 0) {
            return false;
        }
        long expected = 1;
        for (int d = ref.size().length - 1; d >= 0; d--) {
            if (ref.size()[d] > 1 && ref.stride()[d] != expected) {
                return false;
            }
            expected *= ref.size()[d];
        }
        return expected == ref.storage().numel;
    }

    /** The view's element count, checked to lie inside its storage. */
    private static long checkedNumel(TensorRef ref) {
        try {
            long numel = 1;
            long last = ref.offset();
            for (int d = ref.size().length - 1; d >= 0; d--) {
                numel = Math.multiplyExact(numel, ref.size()[d]);
                last = Math.addExact(last, Math.multiplyExact((long) Math.max(ref.size()[d] - 1, 0), ref.stride()[d]));
            }
            if (numel > 0 && (last >= ref.storage().numel || ref.offset() < 0)) {
                throw new FormatException("view-out-of-bounds", "a tensor of size " + Arrays.toString(ref.size()) + ", stride "
                        + Arrays.toString(ref.stride()) + " and offset " + ref.offset() + " reaches past the end of storage '"
                        + ref.storage().key + "' of " + ref.storage().numel + " elements");
            }
            return numel;
        } catch (ArithmeticException overflow) {
            throw new FormatException("view-out-of-bounds", "a tensor's offset and strides overflow");
        }
    }

    /** The view's elements in row-major order, walking an index odometer over the storage's bytes as they are read. */
    private static final class Gathered extends InputStream {
        private final ByteBuffer storage;
        private final int size;
        private final int[] shape;
        private final long[] stride;
        private final int[] index;
        private long at;
        private long remaining;   // elements not yet read whole
        private int within;       // bytes of the current element already read

        Gathered(ByteBuffer storage, int size, long numel, TensorRef ref) {
            this.storage = storage;
            this.size = size;
            this.shape = ref.size();
            this.stride = ref.stride();
            this.index = new int[shape.length];
            this.at = ref.offset();
            this.remaining = numel;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int written = 0;
            while (written < len && remaining > 0) {
                int n = Math.min(size - within, len - written);
                storage.get((int) (at * size) + within, b, off + written, n);
                written += n;
                within += n;
                if (within == size) {
                    within = 0;
                    remaining--;
                    advance();
                }
            }
            return written;
        }

        private void advance() {
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    at += stride[d];
                    return;
                }
                at -= (long) (shape[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
    }

    /** Two references to the same view of the same storage are one tensor, as in the file. */
    private record ViewKey(Storage storage, long offset, int[] size, long[] stride) {
        ViewKey(TensorRef ref) {
            this(ref.storage(), ref.offset(), ref.size(), ref.stride());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ViewKey k && k.storage == storage && k.offset == offset
                    && Arrays.equals(k.size, size) && Arrays.equals(k.stride, stride);
        }

        @Override
        public int hashCode() {
            return Objects.hash(System.identityHashCode(storage), offset, Arrays.hashCode(size), Arrays.hashCode(stride));
        }
    }
}
