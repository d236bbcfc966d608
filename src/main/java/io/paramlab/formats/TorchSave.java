package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The torch.save format of PyTorch 1.6 and later: a zip holding {@code archive/data.pkl} (the
 * pickled object, tensors as persistent ids of storages), one uncompressed entry
 * {@code archive/data/<key>} per storage, and {@code archive/version}. Written as
 * {@code torch.save(model.state_dict(), f)} writes it; read with {@link Unpickler}, which builds
 * nothing but data.
 */
public final class TorchSave {
    private static final String ARCHIVE = "archive";
    /** torch's writer aligns each entry's data to 64 bytes (for mmap); we do the same. */
    private static final int ALIGNMENT = 64;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private TorchSave() {
    }

    /**
     * A decoded file: the selected state dict (tensors in file order, tied keys sharing one array),
     * whether it carried {@code _metadata} and that metadata (module prefix to e.g.
     * {@code {"version": 2}}), and the whole decoded object for callers that want more than tensors.
     */
    public record Loaded(Map<String, TensorData> stateDict, boolean hasMetadata,
                         Map<String, Map<String, Object>> metadata, Object root) {
    }

    // ------------------------------------------------------------------ write

    /**
     * Writes {@code stateDict} as {@code torch.save(model.state_dict(), f)}: an OrderedDict whose
     * tied keys share one storage, with {@code _metadata} when {@code metadata} is not null.
     */
    public static void write(OutputStream out, Map<String, TensorData> stateDict,
                             Map<String, Map<String, Object>> metadata) throws IOException {
        Map<Object, String> storageKeys = new IdentityHashMap<>();
        List<Object> storages = new ArrayList<>();
        stateDict.values().forEach(t -> addStorage(t, storageKeys, storages));
        writeZip(out, pickle(stateDict, storageKeys, metadata), storages);
    }

    /**
     * Writes any plain value as {@code torch.save(obj, f)} does, e.g. {@code optimizer.state_dict()}:
     * a Map is a dict (keys and values in order), a List a list, a {@link PyTuple} a tuple, and
     * String, Long/Integer, Double/Float, Boolean, null and {@link TensorData} (one storage per
     * array, shared arrays stored once) as themselves. {@code torch.load(f)} reads it; so does
     * {@code weights_only=True} where it knows floats (PyTorch 2; 1.13's reader has no BINFLOAT).
     */
    public static void writeObject(OutputStream out, Object value) throws IOException {
        Map<Object, String> storageKeys = new IdentityHashMap<>();
        List<Object> storages = new ArrayList<>();
        collectStorages(value, storageKeys, storages, 0);
        PickleWriter p = new PickleWriter().proto();
        object(p, value, storageKeys);
        writeZip(out, p.stop(), storages);
    }

    private static void addStorage(TensorData t, Map<Object, String> storageKeys, List<Object> storages) {
        Object array = Tied.storage(t);
        if (!storageKeys.containsKey(array)) {
            storageKeys.put(array, Integer.toString(storages.size()));
            storages.add(array);
        }
    }

    private static void collectStorages(Object value, Map<Object, String> storageKeys, List<Object> storages, int depth) {
        if (depth > PickleLimits.DEFAULT_MAX_DEPTH) {
            throw new IllegalArgumentException("values nest more than " + PickleLimits.DEFAULT_MAX_DEPTH + " levels deep");
        }
        if (value instanceof TensorData) {
            addStorage((TensorData) value, storageKeys, storages);
        } else if (value instanceof Map) {
            ((Map<?, ?>) value).forEach((k, v) -> {
                collectStorages(k, storageKeys, storages, depth + 1);
                collectStorages(v, storageKeys, storages, depth + 1);
            });
        } else if (value instanceof List) {
            ((List<?>) value).forEach(v -> collectStorages(v, storageKeys, storages, depth + 1));
        } else if (value instanceof PyTuple) {
            ((PyTuple) value).items().forEach(v -> collectStorages(v, storageKeys, storages, depth + 1));
        }
    }

    /** One value, containers as Python's pickler writes them (EMPTY_DICT + SETITEMS, EMPTY_LIST + APPENDS, TUPLEn). */
    private static void object(PickleWriter p, Object value, Map<Object, String> storageKeys) {
        if (value instanceof TensorData) {
            tensor(p, (TensorData) value, storageKeys);
        } else if (value instanceof Map) {
            p.op('}');
            int i = 0;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (i++ % 1000 == 0) {
                    if (i > 1) {
                        p.op('u');
                    }
                    p.mark();
                }
                object(p, e.getKey(), storageKeys);
                object(p, e.getValue(), storageKeys);
            }
            if (i > 0) {
                p.op('u');
            }
        } else if (value instanceof List) {
            p.op(']');
            int i = 0;
            for (Object item : (List<?>) value) {
                if (i++ % 1000 == 0) {
                    if (i > 1) {
                        p.op('e');
                    }
                    p.mark();
                }
                object(p, item, storageKeys);
            }
            if (i > 0) {
                p.op('e');
            }
        } else if (value instanceof PyTuple) {
            List<?> items = ((PyTuple) value).items();
            if (items.isEmpty()) {
                p.op(')');
                return;
            }
            if (items.size() > 3) {
                p.mark();
            }
            items.forEach(item -> object(p, item, storageKeys));
            p.op(items.size() == 1 ? 0x85 : items.size() == 2 ? 0x86 : items.size() == 3 ? 0x87 : 't');
        } else {
            p.value(value);
        }
    }

    /** The zip around a pickle: data.pkl, one entry per storage, version. */
    private static void writeZip(OutputStream out, byte[] pickle, List<Object> storages) throws IOException {
        CountingOutputStream counted = new CountingOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(counted);
        byte[] buf = new byte[Dtype.BUFFER_BYTES];
        putStored(zip, counted, ARCHIVE + "/data.pkl", pickle);
        // torch.save writes the storages in the order of their keys as strings: 0, 1, 10, 11, ..., 2
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < storages.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.toString(a).compareTo(Integer.toString(b)));
        for (int i : order) {
            Object array = storages.get(i);
            ZipEntry entry = storedEntry(counted, ARCHIVE + "/data/" + i, Dtype.byteSize(array), Dtype.crc32(array, buf));
            zip.putNextEntry(entry);
            Dtype.write(zip, array, buf);
            zip.closeEntry();
        }
        putStored(zip, counted, ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
        zip.flush();
    }

    private static byte[] pickle(Map<String, TensorData> stateDict, Map<Object, String> storageKeys,
                                 Map<String, Map<String, Object>> metadata) {
        PickleWriter p = new PickleWriter().proto();
        p.global("collections", "OrderedDict").op(')').op('R');
        int i = 0;
        for (Map.Entry<String, TensorData> e : stateDict.entrySet()) {
            if (i++ % 1000 == 0) {
                if (i > 1) {
                    p.op('u');
                }
                p.mark();
            }
            p.string(e.getKey());
            tensor(p, e.getValue(), storageKeys);
        }
        if (i > 0) {
            p.op('u');
        }
        if (metadata != null) {
            // obj.__dict__ = {'_metadata': OrderedDict(prefix -> {'version': n})}, set by BUILD
            p.op('}').string("_metadata").global("collections", "OrderedDict").op(')').op('R');
            p.dictItems(metadata);
            p.op('s').op('b');
        }
        return p.stop();
    }

    /** A contiguous tensor over its whole storage, as {@code torch.save} writes one. */
    private static void tensor(PickleWriter p, TensorData t, Map<Object, String> storageKeys) {
        long[] size = new long[t.shape().length];
        long[] stride = new long[size.length];
        long step = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            size[d] = t.shape()[d];
            stride[d] = step;
            step *= Math.max(1, size[d]);
        }
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", t.isFloat() ? "FloatStorage" : t.isBool() ? "BoolStorage" : "LongStorage")
                .string(storageKeys.get(Tied.storage(t))).string("cpu").integer(t.numel()).op('t').op('Q');
        p.integer(0).intTuple(size).intTuple(stride).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R');
        p.op('t').op('R');
    }

    private static void putStored(ZipOutputStream zip, CountingOutputStream counted, String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        zip.putNextEntry(storedEntry(counted, name, data.length, crc.getValue()));
        zip.write(data);
        zip.closeEntry();
    }

    /** A STORED entry (size and CRC known first, so no data descriptor), padded so its data starts 64-aligned. */
    private static ZipEntry storedEntry(CountingOutputStream counted, String name, long size, long crc) {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(size);
        entry.setCompressedSize(size);
        entry.setCrc(crc);
        entry.setTime(315532800000L + 43200000L); // a fixed date, so the same dict gives the same bytes
        int header = 30 + name.getBytes(StandardCharsets.UTF_8).length;
        int pad = (int) ((ALIGNMENT - (counted.count + header) % ALIGNMENT) % ALIGNMENT);
        if (pad < 4) {
            pad += ALIGNMENT;
        }
        // an extra field with the id "FB" (as torch's writer uses) holding pad - 4 zero bytes
        ByteBuffer extra = ByteBuffer.allocate(pad).order(ByteOrder.LITTLE_ENDIAN);
        extra.put((byte) 'F').put((byte) 'B').putShort((short) (pad - 4));
        entry.setExtra(extra.array());
        return entry;
    }

    /** Counts bytes on their way out, to know where the next zip entry's data will start. */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    // ------------------------------------------------------------------ read

    /**
     * Reads a torch.save file of at most {@code maxBytes} with default pickle bounds, and picks
     * the state dict: the whole object, or its entry {@code key} (e.g. {@code model_state_dict}).
     */
    public static Loaded read(InputStream in, String key, long maxBytes) throws IOException {
        return read(in, key, PickleLimits.of(maxBytes));
    }

    public static Loaded read(InputStream in, String key, PickleLimits limits) throws IOException {
        return read(in, key, limits, ArrayBudget.NONE);
    }

    /**
     * {@link #read(InputStream, String, long)}, the storages the pickle declares (and each view gathered from one)
     * reserved from {@code budget} before they are allocated.
     */
    public static Loaded read(InputStream in, String key, long maxBytes, ArrayBudget budget) throws IOException {
        return read(in, key, PickleLimits.of(maxBytes), budget);
    }

    private static Loaded read(InputStream in, String key, PickleLimits limits, ArrayBudget budget) throws IOException {
        Object root = open(in, limits, null, budget);
        Object selected = root;
        if (key != null) {
            if (!(root instanceof Map) || !((Map<?, ?>) root).containsKey(key)) {
                throw new FormatException("missing-key", "the file holds no dict entry '" + key + "'"
                        + (root instanceof Map ? "; its keys are " + keyList((Map<?, ?>) root) : ""));
            }
            selected = ((Map<?, ?>) root).get(key);
        }
        return stateDict(selected, root, key);
    }

    /** Reads a torch.save file and returns the whole decoded object (dicts, lists, tuples, numbers, strings, tensors). */
    public static Object load(InputStream in, PickleLimits limits) throws IOException {
        return open(in, limits, null, ArrayBudget.NONE);
    }

    /** The zip read as it streams in; {@code plan} null: the values resolved, else the storages handed to the plan. */
    private static Object open(InputStream in, PickleLimits limits, RawPlan plan, ArrayBudget budget) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 8);
        buffered.mark(4);
        byte[] head = buffered.readNBytes(4);
        buffered.reset();
        if (StateDictFormat.sniffBinary(head, head.length) != StateDictFormat.PT) {
            if (head.length > 0 && (head[0] & 0xff) == 0x80) {
                throw new FormatException("legacy-format", "this is the legacy torch.save format (PyTorch before 1.6, or "
                        + "_use_new_zipfile_serialization=False); re-save it with torch.save(obj, f) and its default settings");
            }
            throw new FormatException("not-a-zip", "a torch.save file is a zip archive, and this is not one; "
                    + "re-save it with torch.save(obj, f) and its default settings");
        }
        try {
            return new ZipReader(new LimitedInputStream(buffered, limits.maxBytes()), limits, plan, budget).read();
        } catch (EOFException e) {
            throw new FormatException("invalid-zip", "the zip archive is damaged or cut short (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads a torch.save file of at most {@code maxBytes} as it is, for a stored state dict: the
     * pickle with the data-only reader, the dict (or its entry {@code key}) laid out in key order,
     * then each storage as its zip entry arrives. A storage that one tensor spans whole and
     * contiguously streams straight into {@code sink}; a storage with other views is read whole
     * and each distinct view gathered from it.
     */
    public static RawTensors.Read readRaw(InputStream in, String key, long maxBytes, RawTensors.Sink sink) throws IOException {
        PickleLimits limits = PickleLimits.of(maxBytes);
        RawPlan plan = new RawPlan(key, sink, limits);
        open(in, limits, plan, ArrayBudget.NONE);
        return new RawTensors.Read(plan.tensors, null);
    }

    /**
     * Writes a stored state dict as {@code torch.save(state_dict)} writes it: an OrderedDict, one
     * storage per untied tensor in its own dtype, each tie on its tensor's storage.
     */
    public static void writeRaw(OutputStream out, List<RawTensors.Tensor> tensors, RawTensors.Source source) throws IOException {
        PickleWriter p = new PickleWriter().proto();
        p.global("collections", "OrderedDict").op(')').op('R');
        List<RawTensors.Tensor> storages = new ArrayList<>();
        Map<Integer, Integer> storageOf = new LinkedHashMap<>();
        int i = 0;
        for (RawTensors.Tensor t : tensors) {
            int owner = t.tiedTo() == null ? t.position() : t.tiedTo();
            if (!storageOf.containsKey(owner)) {
                storageOf.put(owner, storages.size());
                storages.add(tensors.get(owner));
            }
            if (i++ % 1000 == 0) {
                if (i > 1) {
                    p.op('u');
                }
                p.mark();
            }
            p.string(t.key());
            long[] size = new long[t.shape().length];
            long[] stride = new long[size.length];
            long step = 1;
            for (int d = size.length - 1; d >= 0; d--) {
                size[d] = t.shape()[d];
                stride[d] = step;
                step *= Math.max(1, size[d]);
            }
            p.global("torch._utils", "_rebuild_tensor_v2").mark();
            p.mark().string("storage").global("torch", t.dtype().storageClass())
                    .string(Integer.toString(storageOf.get(owner))).string("cpu").integer(t.numel()).op('t').op('Q');
            p.integer(0).intTuple(size).intTuple(stride).op(0x89)
                    .global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        if (i > 0) {
            p.op('u');
        }
        CountingOutputStream counted = new CountingOutputStream(out);
        ZipOutputStream zip = new ZipOutputStream(counted);
        putStored(zip, counted, ARCHIVE + "/data.pkl", p.stop());
        List<Integer> order = new ArrayList<>();
        for (int n = 0; n < storages.size(); n++) {
            order.add(n);
        }
        order.sort((a, b) -> Integer.toString(a).compareTo(Integer.toString(b)));
        for (int n : order) {
            RawTensors.Tensor t = storages.get(n);
            java.util.zip.CheckedOutputStream crc = new java.util.zip.CheckedOutputStream(OutputStream.nullOutputStream(), new CRC32());
            source.copyTo(t.position(), crc);   // a STORED entry states its CRC first: one pass to compute it, one to write
            zip.putNextEntry(storedEntry(counted, ARCHIVE + "/data/" + n, t.byteSize(), crc.getChecksum().getValue()));
            source.copyTo(t.position(), zip);
            zip.closeEntry();
        }
        putStored(zip, counted, ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
        zip.flush();
    }

    private static Loaded stateDict(Object selected, Object root, String key) {
        if (!(selected instanceof Map)) {
            throw new FormatException("not-a-state-dict", (key == null ? "the file" : "entry '" + key + "'")
                    + " holds " + TorchValues.describe(selected) + ", not a dict of tensors");
        }
        Map<String, TensorData> stateDict = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) selected).entrySet()) {
            if (!(e.getKey() instanceof String)) {   // was "entry 1 holds a tensor, not a tensor"
                throw new FormatException("not-a-state-dict", "entry " + TorchValues.describeKey(e.getKey()) + " has "
                        + TorchValues.describe(e.getKey()) + " for its key; a state dict's keys are strings");
            }
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof TensorData)) {
                String hint = key == null && TorchValues.hasDictEntries((Map<?, ?>) selected)
                        ? "; for a checkpoint, choose its state dict with ?key= (one of " + TorchValues.dictKeys((Map<?, ?>) selected) + ")"
                        : "";
                throw new FormatException("not-a-state-dict", "entry " + TorchValues.describeKey(e.getKey()) + " holds "
                        + TorchValues.describe(e.getValue()) + ", not a tensor" + hint);
            }
            stateDict.put((String) e.getKey(), (TensorData) e.getValue());
        }
        Map<String, Map<String, Object>> metadata = new LinkedHashMap<>();
        boolean hasMetadata = selected instanceof PyDict && ((PyDict) selected).attributes().containsKey("_metadata");
        if (hasMetadata) {
            Object m = ((PyDict) selected).attributes().get("_metadata");
            if (!(m instanceof Map)) {
                throw new FormatException("invalid-metadata", "the state dict's _metadata is not a dict");
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) m).entrySet()) {
                if (!(e.getKey() instanceof String) || !(e.getValue() instanceof Map)) {
                    throw new FormatException("invalid-metadata", "the state dict's _metadata maps module names to dicts");
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                for (Map.Entry<?, ?> f : ((Map<?, ?>) e.getValue()).entrySet()) {
                    entry.put(String.valueOf(f.getKey()), f.getValue());
                }
                metadata.put((String) e.getKey(), Collections.unmodifiableMap(entry));
            }
        }
        return new Loaded(stateDict, hasMetadata, Collections.unmodifiableMap(metadata), root);
    }

    private static String keyList(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        for (Object k : map.keySet()) {
            if (keys.size() == 20) {
                keys.add("...");
                break;
            }
            keys.add(TorchValues.describeKey(k));
        }
        return String.join(", ", keys);
    }

    /**
     * Reads the zip front to back as it streams in. torch.save writes data.pkl first, so storages
     * are known before their entries arrive and go straight into their arrays; a data entry that
     * comes before the pickle (another writer) is kept as raw bytes until the pickle is read, at
     * most maxBytes in all since every byte read counts against it.
     */
    private static final class ZipReader {
        private final ZipStream zip;
        private final PickleLimits limits;
        private final byte[] buf = new byte[Dtype.BUFFER_BYTES];
        private final Map<String, byte[]> early = new LinkedHashMap<>();
        private String archive;
        private Unpickler.Result pickle;
        /** Bytes taken out of entries (after decompression), bounded by maxBytes. */
        private long decoded;

        private final RawPlan plan;
        private final ArrayBudget budget;

        ZipReader(LimitedInputStream raw, PickleLimits limits, RawPlan plan, ArrayBudget budget) {
            this.zip = new ZipStream(raw);
            this.limits = limits;
            this.plan = plan;
            this.budget = budget;
        }

        Object read() throws IOException {
            ZipStream.Entry entry;
            while ((entry = zip.next()) != null) {
                String name = entry.name;
                if (archive == null) {
                    int slash = name.indexOf('/');
                    archive = slash > 0 ? name.substring(0, slash) : "";
                }
                if (name.equals(archive + "/data.pkl")) {
                    if (pickle != null) {
                        throw new FormatException("invalid-zip", "the zip holds " + name + " twice");
                    }
                    pickle = Unpickler.load(readEntry(entry, limits.maxPickleBytes(), "pickle-too-large"), limits);
                    if (plan != null) {
                        plan.plan(pickle);
                    } else {
                        checkStorageSizes();
                    }
                    for (Map.Entry<String, byte[]> e : early.entrySet()) {
                        fill(e.getKey(), new ByteArrayInputStream(e.getValue()));
                    }
                    early.clear();
                } else if (name.startsWith(archive + "/data/")) {
                    String key = name.substring(archive.length() + 6);
                    if (pickle == null) {
                        early.put(key, readEntry(entry, (int) Math.min(MAX_ARRAY, limits.maxBytes() - decoded), "too-large"));
                    } else {
                        fill(key, entry);
                    }
                } else if (name.equals(archive + "/byteorder")) {
                    String order = new String(readEntry(entry, 16, "invalid-zip"), StandardCharsets.US_ASCII).trim();
                    if (!order.equals("little")) {
                        throw new FormatException("unsupported-byteorder", "the file was saved on a " + order
                                + "-endian machine; re-save it on a little-endian one");
                    }
                }
                drain(entry);
            }
            zip.finish();
            if (pickle == null) {
                throw new FormatException("missing-pickle", "the zip holds no " + (archive == null ? "" : archive)
                        + "/data.pkl: it is not a torch.save file");
            }
            for (Storage s : pickle.storages().values()) {
                if (plan != null ? !plan.filled(s) : s.values == null) {
                    throw new FormatException("missing-storage", "the pickle names storage '" + s.key
                            + "' but the zip has no " + archive + "/data/" + s.key);
                }
            }
            return plan != null ? null : new TorchValues(limits, budget).resolve(pickle.value());
        }

        /** Declared storages must fit the limit before any is allocated. */
        private void checkStorageSizes() {
            long total = 0;
            long elements = 0;
            long arrayBytes = 0;
            for (Storage s : pickle.storages().values()) {
                if (s.numel > MAX_ARRAY) {
                    throw new FormatException("tensor-too-large", "storage '" + s.key + "' has " + s.numel
                            + " elements, more than one array holds");
                }
                total += s.byteSize();
                if (total > limits.maxBytes()) {
                    throw new FormatException("too-large", "the file's storages need more than " + limits.maxBytes()
                            + " bytes, over the limit");
                }
                elements += s.numel;
                arrayBytes += s.numel * s.dtype.arrayElementBytes();
            }
            budget.reserve(elements, arrayBytes);
        }

        /** The entry for storage {@code key}, converted straight into a new array; unnamed entries are skipped. */
        private void fill(String key, InputStream entry) throws IOException {
            Storage s = pickle.storages().get(key);
            if (s == null) {
                return;
            }
            if (entry instanceof ZipStream.Entry) {
                ((ZipStream.Entry) entry).expectSize(s.byteSize());
            }
            if (plan != null) {
                try {
                    plan.fill(s, entry, buf);
                } catch (EOFException e) {
                    throw sizeMismatch(s);
                }
                if (entry.read() >= 0) {
                    throw sizeMismatch(s);
                }
                count(s.byteSize());
                return;
            }
            if (s.values != null) {
                throw new FormatException("invalid-zip", "the zip holds storage '" + key + "' twice");
            }
            Object values = s.dtype.allocate((int) s.numel);
            try {
                s.dtype.read(entry, values, 0, (int) s.numel, buf);
            } catch (EOFException e) {
                throw sizeMismatch(s);
            }
            if (entry.read() >= 0) {
                throw sizeMismatch(s);
            }
            s.values = values;
            count(s.byteSize());
        }

        private FormatException sizeMismatch(Storage s) {
            return new FormatException("storage-size-mismatch", "storage '" + s.key + "' should hold " + s.numel + " "
                    + s.dtype.name() + " values (" + s.byteSize() + " bytes), but its zip entry has a different size");
        }

        private byte[] readEntry(ZipStream.Entry entry, int max, String rule) throws IOException {
            byte[] data = entry.readNBytes(max);
            if (entry.read() >= 0) {
                throw new FormatException(rule, "zip entry " + entry.name + " is larger than " + max + " bytes, over the limit");
            }
            count(data.length);
            return data;
        }

        /**
         * Reads what is left of an entry we do not need, counting it: a compressed entry can expand
         * a thousandfold, and this keeps the decompressed total within maxBytes too.
         */
        private void drain(ZipStream.Entry entry) throws IOException {
            int n;
            while ((n = entry.read(buf, 0, buf.length)) > 0) {
                count(n);
            }
        }

        private void count(long n) {
            decoded += n;
            if (decoded > limits.maxBytes()) {
                throw new FormatException("too-large", "the zip's entries expand to more than " + limits.maxBytes()
                        + " bytes, over the limit");
            }
        }
    }

    /** Refuses to read more than the limit, so neither a long body nor a zip bomb can cost more. */
    private static final class LimitedInputStream extends java.io.FilterInputStream {
        private final long max;
        private long count;

        LimitedInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            count += n;
            if (count > max) {
                throw new FormatException("too-large", "the file is larger than " + max + " bytes, over the limit");
            }
        }
    }
}
