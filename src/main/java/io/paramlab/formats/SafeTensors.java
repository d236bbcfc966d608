package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format of huggingface/safetensors: an 8-byte little-endian header length, a
 * JSON header padded with spaces to a multiple of 8, then the tensors' bytes. Written as
 * {@code safetensors.torch.save_model} writes it (tied tensors once), or with a copy under every
 * key; read as a stream, header first, validating every rule the reference reader validates
 * (each its own {@link FormatException#rule()}) before a single tensor is allocated.
 */
public final class SafeTensors {
    /** The reference reader's limit on the header (safetensors' MAX_HEADER_SIZE). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private SafeTensors() {
    }

    /**
     * A decoded file: the tensors in header order, new arrays, and {@code __metadata__} (empty
     * when absent). Tied tensors written once appear only under the kept key here; see
     * {@link #resolveTied}.
     */
    public record Loaded(Map<String, TensorData> tensors, Map<String, String> metadata) {
        /**
         * The state dict a model with {@code modelKeys} sees, as {@code safetensors.torch.load_model}
         * restores it: a model key missing from the file but mapped in {@code __metadata__} to a key
         * that is present gets that tensor (the same instance, so the keys stay tied). Model keys
         * come first in model order, then whatever else the file has (unexpected keys for the caller).
         */
        public Map<String, TensorData> resolveTied(Collection<String> modelKeys) {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (String key : modelKeys) {
                TensorData t = tensors.get(key);
                if (t == null && metadata.containsKey(key)) {
                    t = tensors.get(metadata.get(key));
                }
                if (t != null) {
                    out.put(key, t);
                }
            }
            tensors.forEach(out::putIfAbsent);
            return out;
        }
    }

    /**
     * Writes {@code stateDict} (F32 for float32, I64 for int64, BOOL for bool: one byte 0 or 1). Tied keys (the same array
     * instance) are written once under the lexicographically smallest key, the others mapped to it
     * in {@code __metadata__}, unless {@code copies}, which writes every key's own copy.
     */
    public static void write(OutputStream out, Map<String, TensorData> stateDict, boolean copies) throws IOException {
        Map<String, String> aliases = copies ? Map.of() : Tied.aliases(stateDict);
        List<String> names = new ArrayList<>();
        for (String key : stateDict.keySet()) {
            if (!aliases.containsKey(key)) {
                names.add(key);
            }
        }
        // save_model's layout: dtypes in descending order of safetensors' Dtype enum (I64, F32, BOOL), then by name
        names.sort(Comparator.comparingInt((String k) -> layoutRank(stateDict.get(k))).thenComparing(Tied.BY_CODE_POINT));
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"");
        new TreeMap<>(aliases).forEach((alias, kept) ->
                header.append(',').append(HeaderJson.quote(alias)).append(':').append(HeaderJson.quote(kept)));
        header.append('}');
        long offset = 0;
        for (String name : names) {
            TensorData t = checked(name, stateDict.get(name));
            long end = offset + Dtype.byteSize(Tied.storage(t));
            header.append(',').append(HeaderJson.quote(name)).append(":{\"dtype\":\"").append(t.isFloat() ? "F32" : t.isBool() ? "BOOL" : "I64")
                    .append("\",\"shape\":[");
            for (int d = 0; d < t.shape().length; d++) {
                header.append(d == 0 ? "" : ",").append(t.shape()[d]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] prefix = new byte[8 + padded];
        ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
        for (int i = 8 + json.length; i < prefix.length; i++) {
            prefix[i] = ' ';
        }
        out.write(prefix);
        byte[] buf = new byte[Dtype.BUFFER_BYTES];
        for (String name : names) {
            TensorData t = stateDict.get(name);
            Dtype.write(out, Tied.storage(t), buf);
        }
        out.flush();
    }

    private static int layoutRank(TensorData t) {
        return t.isFloat() ? 1 : t.isBool() ? 2 : 0;
    }

    private static TensorData checked(String name, TensorData t) {
        long numel = 1;
        for (int d : t.shape()) {
            numel *= d;
        }
        if (numel != t.numel()) {
            throw new IllegalArgumentException(name + ": shape " + TensorData.torchSize(t.shape()) + " does not hold " + t.numel() + " values");
        }
        return t;
    }

    /** Reads a whole safetensors file of at most {@code maxBytes}; the stream must end where the data ends. */
    public static Loaded read(InputStream in, long maxBytes) throws IOException {
        return read(in, maxBytes, ArrayBudget.NONE);
    }

    /** {@link #read(InputStream, long)}, the arrays the header declares reserved from {@code budget} before any is allocated. */
    public static Loaded read(InputStream in, long maxBytes, ArrayBudget budget) throws IOException {
        Header header = header(in, maxBytes);
        long elements = 0;
        long bytes = 0;
        for (Entry e : header.entries) {
            e.checkLoadable();
            elements += e.numel;
            bytes += e.numel * e.dtype.arrayElementBytes();
        }
        budget.reserve(elements, bytes);
        Map<String, TensorData> tensors = readData(in, header.entries);
        checkEnd(in, header);
        return new Loaded(tensors, Collections.unmodifiableMap(header.metadata));
    }

    /**
     * Reads a safetensors file of at most {@code maxBytes} as it is, for a stored state dict: every
     * header rule first, then each tensor's bytes straight into {@code sink} in offset order. A
     * {@code __metadata__} entry naming a tensor key (as {@code save_model} writes a tie) is a key
     * tied to it, after the header's tensors. Dtypes other than those {@link StoredDtype} keeps are refused.
     */
    public static RawTensors.Read readRaw(InputStream in, long maxBytes, RawTensors.Sink sink) throws IOException {
        Header header = header(in, maxBytes);
        List<RawTensors.Tensor> tensors = new ArrayList<>();
        Map<String, Integer> positions = new LinkedHashMap<>();
        for (Entry e : header.entries) {
            StoredDtype dtype = StoredDtype.ofSafetensors(e.dtypeName);
            if (dtype == null) {
                throw new FormatException("unsupported-dtype", "tensor '" + e.name + "' is " + e.dtypeName + "; a stored state "
                        + "dict keeps F32, F64, F16, BF16, I64, I32, I8, U8 and BOOL");
            }
            if (!e.dimsFit) {
                throw new FormatException("tensor-too-large", "tensor '" + e.name + "' has a dimension over " + MAX_ARRAY);
            }
            positions.put(e.name, tensors.size());
            tensors.add(new RawTensors.Tensor(tensors.size(), e.name, dtype, e.shape, e.numel, null));
        }
        header.metadata.forEach((alias, kept) -> {
            Integer target = positions.get(kept);
            if (target != null && !positions.containsKey(alias)) {
                RawTensors.Tensor t = tensors.get(target);
                tensors.add(new RawTensors.Tensor(tensors.size(), alias, t.dtype(), t.shape(), t.numel(), target));
            }
        });
        sink.layout(List.copyOf(tensors));
        List<Entry> byOffset = new ArrayList<>(header.entries);
        byOffset.sort(Entry.BY_OFFSETS);
        for (Entry e : byOffset) {
            try {
                sink.data(positions.get(e.name), in, e.end - e.start);
            } catch (EOFException eof) {
                throw new FormatException("truncated", "the file ends inside tensor '" + e.name
                        + "': the header describes more data than the file has");
            }
        }
        checkEnd(in, header);
        return new RawTensors.Read(List.copyOf(tensors), header.bytes);
    }

    /**
     * Writes a stored state dict: {@code header} (the uploaded one, length prefix excluded) with the
     * data in its offsets' order, byte for byte; or, when null, a header of our own: each untied
     * tensor in position order, each tie as an alias in {@code __metadata__}.
     */
    public static void writeRaw(OutputStream out, List<RawTensors.Tensor> tensors, byte[] header, RawTensors.Source source)
            throws IOException {
        List<Integer> order = new ArrayList<>();
        if (header != null) {
            Map<String, Integer> positions = new LinkedHashMap<>();
            tensors.forEach(t -> positions.put(t.key(), t.position()));
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) HeaderJson.parse(utf8(header))).entrySet()) {
                if (!e.getKey().equals("__metadata__")) {
                    entries.add(Entry.parse((String) e.getKey(), e.getValue()));
                }
            }
            entries.sort(Entry.BY_OFFSETS);
            entries.forEach(e -> order.add(positions.get(e.name)));
        } else {
            StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"");
            for (RawTensors.Tensor t : tensors) {
                if (t.tiedTo() != null) {
                    json.append(',').append(HeaderJson.quote(t.key())).append(':').append(HeaderJson.quote(tensors.get(t.tiedTo()).key()));
                }
            }
            json.append('}');
            long offset = 0;
            for (RawTensors.Tensor t : tensors) {
                if (t.tiedTo() == null) {
                    json.append(',').append(HeaderJson.quote(t.key())).append(":{\"dtype\":\"").append(t.dtype().safetensorsCode())
                            .append("\",\"shape\":[");
                    for (int d = 0; d < t.shape().length; d++) {
                        json.append(d == 0 ? "" : ",").append(t.shape()[d]);
                    }
                    json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.byteSize()).append("]}");
                    offset += t.byteSize();
                    order.add(t.position());
                }
            }
            json.append('}');
            byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
            header = new byte[(text.length + 7) / 8 * 8];
            System.arraycopy(text, 0, header, 0, text.length);
            for (int i = text.length; i < header.length; i++) {
                header[i] = ' ';
            }
        }
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (int position : order) {
            source.copyTo(position, out);
        }
        out.flush();
    }

    /** The header, every rule of it checked, before any data. */
    private record Header(long length, byte[] bytes, Map<String, String> metadata, List<Entry> entries, long dataBytes) {
    }

    private static Header header(InputStream in, long maxBytes) throws IOException {
        byte[] lengthBytes = new byte[8];
        int got = in.readNBytes(lengthBytes, 0, 8);
        if (got < 8) {
            throw new FormatException("header-too-small", "a safetensors file starts with an 8-byte header length, "
                    + "but this one has only " + got + " bytes");
        }
        long n = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if ((n < 0 || n > MAX_HEADER_BYTES) && lengthBytes[0] == (byte) 0x80 && lengthBytes[1] >= 2 && lengthBytes[1] <= 5) {
            // a pickle's PROTO opcode: torch.save's legacy format (read as a safetensors length, a riddle of 19 digits)
            throw new FormatException("legacy-torch-save", "the file is a bare pickle, as torch.save's legacy format writes it "
                    + "(_use_new_zipfile_serialization=False, or PyTorch before 1.6); send the zip archive torch.save writes by "
                    + "default (torch.save(state_dict, f)), or safetensors");
        }
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new FormatException("header-too-large", "the safetensors header length is " + Long.toUnsignedString(n)
                    + " bytes, over the " + MAX_HEADER_BYTES + "-byte limit safetensors allows");
        }
        if (8 + n > maxBytes) {
            throw tooLarge(8 + n, maxBytes);
        }
        byte[] bytes = readHeader(in, (int) n);
        String text = utf8(bytes);
        if (!text.startsWith("{")) {
            throw new FormatException("invalid-header-start", "the safetensors header must be a JSON object starting with '{'");
        }
        Object json = HeaderJson.parse(text);
        if (!(json instanceof Map)) {
            throw invalidHeader("the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) json).entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("__metadata__")) {
                metadata = metadata(e.getValue());
            } else {
                entries.add(Entry.parse(key, e.getValue()));
            }
        }
        long dataBytes = Entry.validateTiling(entries);
        if (8 + n + dataBytes > maxBytes) {
            throw tooLarge(8 + n + dataBytes, maxBytes);
        }
        return new Header(n, bytes, metadata, entries, dataBytes);
    }

    private static void checkEnd(InputStream in, Header header) throws IOException {
        if (in.read() >= 0) {
            throw new FormatException("trailing-bytes", "the file goes on after the last tensor's data (byte "
                    + (8 + header.length + header.dataBytes) + "): the header's data_offsets must cover the whole file");
        }
    }

    /** The header's bytes, gathered as they arrive so a false length cannot make us allocate 100 MB up front. */
    private static byte[] readHeader(InputStream in, int n) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(Math.min(n, 1 << 16));
        byte[] buf = new byte[1 << 16];
        int remaining = n;
        while (remaining > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, remaining));
            if (r < 0) {
                throw new FormatException("header-past-end", "the header length says " + n
                        + " bytes, but the file ends after " + (n - remaining) + " bytes of header");
            }
            header.write(buf, 0, r);
            remaining -= r;
        }
        return header.toByteArray();
    }

    private static String utf8(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("invalid-utf8", "the safetensors header is not valid UTF-8");
        }
    }

    private static Map<String, String> metadata(Object value) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (value == null) {
            return metadata;
        }
        if (!(value instanceof Map)) {
            throw invalidHeader("__metadata__ must be an object of strings");
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw invalidHeader("__metadata__ value of \"" + e.getKey() + "\" must be a string");
            }
            metadata.put((String) e.getKey(), (String) e.getValue());
        }
        return metadata;
    }

    /** The data, in offset order straight from the stream into new arrays, then put back in header order. */
    private static Map<String, TensorData> readData(InputStream in, List<Entry> headerOrder) throws IOException {
        List<Entry> byOffset = new ArrayList<>(headerOrder);
        byOffset.sort(Entry.BY_OFFSETS);
        Map<Entry, TensorData> read = new IdentityHashMap<>();
        byte[] buf = new byte[Dtype.BUFFER_BYTES];
        for (Entry e : byOffset) {
            Object values = e.dtype.allocate((int) e.numel);
            try {
                e.dtype.read(in, values, 0, (int) e.numel, buf);
            } catch (EOFException eof) {
                throw new FormatException("truncated", "the file ends inside tensor '" + e.name
                        + "': the header describes more data than the file has");
            }
            read.put(e, Dtype.tensor(values, e.shape));
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Entry e : headerOrder) {
            tensors.put(e.name, read.get(e));
        }
        return tensors;
    }

    static FormatException invalidHeader(String what) {
        return new FormatException("invalid-header", "the safetensors header is malformed: " + what);
    }

    private static FormatException tooLarge(long bytes, long maxBytes) {
        return new FormatException("too-large", "the file needs " + bytes + " bytes, over the limit of " + maxBytes);
    }

    private static final int MAX_DIMS = 64;

    /** One tensor as the header describes it, validated field by field. */
    private static final class Entry {
        static final Comparator<Entry> BY_OFFSETS = Comparator.comparingLong((Entry e) -> e.start).thenComparingLong(e -> e.end);

        final String name;
        final String dtypeName;
        final Dtype dtype;
        final int bits;
        final int[] shape;
        final long numel;
        final boolean dimsFit;
        final long start;
        final long end;

        private Entry(String name, String dtypeName, int bits, int[] shape, long numel, boolean dimsFit, long start, long end) {
            this.name = name;
            this.dtypeName = dtypeName;
            this.dtype = loadable(dtypeName);
            this.bits = bits;
            this.shape = shape;
            this.numel = numel;
            this.dimsFit = dimsFit;
            this.start = start;
            this.end = end;
        }

        static Entry parse(String name, Object value) {
            if (!(value instanceof Map)) {
                throw invalidHeader("tensor '" + name + "' must be an object with dtype, shape and data_offsets");
            }
            Map<?, ?> info = (Map<?, ?>) value;
            if (!(info.get("dtype") instanceof String)) {
                throw invalidHeader("tensor '" + name + "' has no dtype string");
            }
            String dtypeName = (String) info.get("dtype");
            int bits = bitsOf(dtypeName);
            if (bits < 0) {
                throw new FormatException("unknown-dtype", "tensor '" + name + "' has dtype \"" + dtypeName
                        + "\", which is not a safetensors dtype");
            }
            List<Long> dims = naturals(name, "shape", info.get("shape"));
            List<Long> offsets = naturals(name, "data_offsets", info.get("data_offsets"));
            if (offsets.size() != 2) {
                throw invalidHeader("tensor '" + name + "' must have data_offsets [begin, end]");
            }
            if (dims.size() > MAX_DIMS) {
                throw invalidHeader("tensor '" + name + "' has " + dims.size() + " dimensions");
            }
            int[] shape = new int[dims.size()];
            long numel = 1;
            boolean dimsFit = true;
            for (int i = 0; i < shape.length; i++) {
                long d = dims.get(i);
                dimsFit &= d <= MAX_ARRAY;
                shape[i] = (int) Math.min(d, MAX_ARRAY);
                try {
                    numel = Math.multiplyExact(numel, d);
                    Math.multiplyExact(numel, 64L); // so numel * bits cannot overflow below
                } catch (ArithmeticException e) {
                    throw new FormatException("size-mismatch", "tensor '" + name + "' has a shape " + dims + " whose size overflows");
                }
            }
            return new Entry(name, dtypeName, bits, shape, numel, dimsFit, offsets.get(0), offsets.get(1));
        }

        private static List<Long> naturals(String name, String field, Object value) {
            if (!(value instanceof List)) {
                throw invalidHeader("tensor '" + name + "' has no " + field + " array");
            }
            List<Long> out = new ArrayList<>();
            for (Object o : (List<?>) value) {
                if (!(o instanceof Long) || (Long) o < 0) {
                    throw invalidHeader("tensor '" + name + "' has a " + field + " that is not all non-negative integers");
                }
                out.add((Long) o);
            }
            return out;
        }

        /** Offsets sorted must start at 0 and each begin where the previous ended; returns the data's length. */
        static long validateTiling(List<Entry> entries) {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(BY_OFFSETS);
            long cursor = 0;
            for (Entry e : sorted) {
                if (e.start != cursor || e.end < e.start) {
                    throw new FormatException("invalid-offsets", "tensor '" + e.name + "' has data_offsets [" + e.start + ", "
                            + e.end + "] but the data before it ends at " + cursor
                            + ": offsets must tile the data exactly, without gaps or overlaps");
                }
                long bytes = e.numel * e.bits / 8;
                if (e.numel * e.bits % 8 != 0 || bytes != e.end - e.start) {
                    throw new FormatException("size-mismatch", "tensor '" + e.name + "' of shape " + TensorData.torchSize(e.shape)
                            + " and dtype " + e.dtypeName + " needs " + bytes + " bytes, but its data_offsets [" + e.start
                            + ", " + e.end + "] span " + (e.end - e.start));
                }
                cursor = e.end;
            }
            return cursor;
        }

        void checkLoadable() {
            if (dtype == null) {
                throw new FormatException("unsupported-dtype", "tensor '" + name + "' is " + dtypeName
                        + "; only F32, F64, F16, BF16 (loaded as float32), I64, I32 (loaded as int64) and BOOL can be loaded");
            }
            if (numel > MAX_ARRAY || !dimsFit) {
                throw new FormatException("tensor-too-large", "tensor '" + name + "' has " + numel + " elements, more than one array holds");
            }
        }

        /** The bits per element of every dtype safetensors defines; -1 for a name it does not. */
        private static int bitsOf(String dtype) {
            switch (dtype) {
                case "F4": return 4;
                case "F6_E2M3": case "F6_E3M2": return 6;
                case "BOOL": case "U8": case "I8": case "F8_E5M2": case "F8_E4M3": case "F8_E8M0": return 8;
                case "I16": case "U16": case "F16": case "BF16": return 16;
                case "I32": case "U32": case "F32": return 32;
                case "F64": case "I64": case "U64": case "C64": return 64;
                default: return -1;
            }
        }

        private static Dtype loadable(String dtype) {
            switch (dtype) {
                case "F32": return Dtype.F32;
                case "F64": return Dtype.F64;
                case "F16": return Dtype.F16;
                case "BF16": return Dtype.BF16;
                case "I64": return Dtype.I64;
                case "I32": return Dtype.I32;
                case "BOOL": return Dtype.BOOL;
                default: return null;
            }
        }
    }
}
