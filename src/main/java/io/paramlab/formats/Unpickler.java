package io.paramlab.formats;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data-only pickle reader in the spirit of {@code torch/_weights_only_unpickler.py}: a stack
 * machine over the opcodes torch.save emits, whose only way to build anything is the
 * {@link Global} allowlist mapped to our own builders. It never loads a class, never reflects,
 * never calls anything a file names. Values: {@link PyDict} for dict and OrderedDict,
 * ArrayList for list, an unmodifiable List for tuple, String, Long or BigInteger, Double,
 * Boolean, null, byte[], and {@link TensorRef} for tensors (resolved later by {@link TorchSave}).
 */
final class Unpickler {
    /** The globals a state dict (or the tutorial's general checkpoint) needs, and nothing else. */
    enum Global {
        ORDERED_DICT("collections", "OrderedDict", null),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
        REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
        FLOAT_STORAGE("torch", "FloatStorage", Dtype.F32),
        DOUBLE_STORAGE("torch", "DoubleStorage", Dtype.F64),
        HALF_STORAGE("torch", "HalfStorage", Dtype.F16),
        BFLOAT16_STORAGE("torch", "BFloat16Storage", Dtype.BF16),
        LONG_STORAGE("torch", "LongStorage", Dtype.I64),
        INT_STORAGE("torch", "IntStorage", Dtype.I32),
        CHAR_STORAGE("torch", "CharStorage", Dtype.I8),
        BYTE_STORAGE("torch", "ByteStorage", Dtype.U8),
        BOOL_STORAGE("torch", "BoolStorage", Dtype.BOOL);

        final String module;
        final String name;
        final Dtype storageDtype;

        Global(String module, String name, Dtype storageDtype) {
            this.module = module;
            this.name = name;
            this.storageDtype = storageDtype;
        }

        static Global resolve(String module, String name) {
            for (Global g : values()) {
                if (g.module.equals(module) && g.name.equals(name)) {
                    return g;
                }
            }
            throw new FormatException("unsupported-global", "the pickle refers to '" + module + "." + name
                    + "', which a state dict never needs; only tensors, their storages, OrderedDict and plain "
                    + "Python values are loaded (what torch.load(f, weights_only=True) allows)");
        }
    }

    private static final Object MARK_SENTINEL = new Object();

    private final byte[] data;
    private final PickleLimits limits;
    private int pos;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, Storage> storages = new LinkedHashMap<>();
    private int objects;

    private Unpickler(byte[] data, PickleLimits limits) {
        this.data = data;
        this.limits = limits;
    }

    /** The decoded value and the storages its tensors name, by key, in order of first mention. */
    record Result(Object value, Map<String, Storage> storages) {
    }

    static Result load(byte[] pickle, PickleLimits limits) {
        Unpickler u = new Unpickler(pickle, limits);
        Object value = u.run();
        return new Result(value, u.storages);
    }

    private Object run() {
        while (true) {
            int op = u1();
            switch (op) {
                case 0x80: // PROTO
                    if (u1() > 5) {
                        throw invalid("pickle protocol above 5");
                    }
                    break;
                case 0x95: // FRAME: a length hint we do not need
                    bytes(8);
                    break;
                case '.': // STOP
                    return pop();
                case '(': // MARK
                    if (marks.size() >= limits.maxStack()) {
                        throw tooBig("stack", limits.maxStack());
                    }
                    marks.add(stack.size());
                    break;
                case '}': push(new PyDict()); break;
                case ']': push(new ArrayList<>()); break;
                case ')': push(tuple(List.of())); break;
                case 0x85: push(tuple(popN(1))); break;
                case 0x86: push(tuple(popN(2))); break;
                case 0x87: push(tuple(popN(3))); break;
                case 't': push(tuple(popMark())); break;
                case 'N': push(null); break;
                case 0x88: push(Boolean.TRUE); break;
                case 0x89: push(Boolean.FALSE); break;
                case 'K': push((long) u1()); break;
                case 'M': push((long) (u1() | (u1() << 8))); break;
                case 'J': push((long) le(4).getInt()); break;
                case 0x8a: push(longValue(u1())); break; // LONG1
                case 0x8b: push(longValue(length(le(4).getInt()))); break; // LONG4
                case 'G': push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); break;
                case 'X': push(utf8(bytes(length(le(4).getInt())))); break; // BINUNICODE
                case 0x8c: push(utf8(bytes(u1()))); break; // SHORT_BINUNICODE
                case 0x8d: push(utf8(bytes(length(le(8).getLong())))); break; // BINUNICODE8
                case 'C': push(bytes(u1())); break; // SHORT_BINBYTES
                case 'B': push(bytes(length(le(4).getInt()))); break; // BINBYTES
                case 'q': put(u1()); break; // BINPUT
                case 'r': put(le(4).getInt() & 0xffffffffL); break; // LONG_BINPUT
                case 0x94: put(memo.size()); break; // MEMOIZE
                case 'h': push(get(u1())); break; // BINGET
                case 'j': push(get(le(4).getInt() & 0xffffffffL)); break; // LONG_BINGET
                case '0': pop(); break; // POP
                case '1': popMark(); break; // POP_MARK
                case '2': push(peek()); break; // DUP
                case 's': setItems(popN(2)); break;
                case 'u': setItems(popMark()); break;
                case 'a': appendItems(popN(1)); break;
                case 'e': appendItems(popMark()); break;
                case 'c': push(Global.resolve(line(), line())); break; // GLOBAL
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw invalid("STACK_GLOBAL needs two strings");
                    }
                    push(Global.resolve((String) module, (String) name));
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    push(reduce(pop(), args));
                    break;
                }
                case 'b': build(pop(), peek()); break; // BUILD
                case 'Q': push(persistentLoad(pop())); break; // BINPERSID
                default:
                    throw new FormatException("unsupported-opcode", String.format(java.util.Locale.ROOT,
                            "the pickle uses opcode 0x%02x at byte %d, which no state dict needs", op, pos - 1));
            }
        }
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Global)) {
            throw invalid("REDUCE of something that is not an allowed global");
        }
        List<?> a = asTuple(args, "REDUCE arguments");
        switch ((Global) callable) {
            case ORDERED_DICT: {
                PyDict dict = new PyDict();
                if (!a.isEmpty()) {
                    for (Object pair : asList(a.get(0), "OrderedDict items")) {
                        List<?> kv = asList(pair, "an OrderedDict item");
                        if (kv.size() != 2) {
                            throw invalid("an OrderedDict item is not a pair");
                        }
                        dict.put(kv.get(0), kv.get(1));
                    }
                }
                return dict;
            }
            case REBUILD_TENSOR_V2:
                return rebuildTensor(a);
            case REBUILD_PARAMETER: // (data, requires_grad, backward_hooks): a parameter's values are its data
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef)) {
                    throw invalid("_rebuild_parameter without a tensor");
                }
                return a.get(0);
            default:
                throw new FormatException("unsupported-global", "the pickle calls '" + ((Global) callable).module + "."
                        + ((Global) callable).name + "', which is only allowed as a storage type");
        }
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(List<?> a) {
        if (a.size() < 4 || !(a.get(0) instanceof Storage) || !(a.get(1) instanceof Long)) {
            throw new FormatException("invalid-tensor", "a tensor in the pickle lacks its storage or offset");
        }
        List<?> size = asTuple(a.get(2), "a tensor's size");
        List<?> stride = asTuple(a.get(3), "a tensor's stride");
        if (size.size() != stride.size() || size.size() > 64) {
            throw new FormatException("invalid-tensor", "a tensor's size and stride have different lengths");
        }
        int[] sizes = new int[size.size()];
        long[] strides = new long[size.size()];
        for (int i = 0; i < sizes.length; i++) {
            if (!(size.get(i) instanceof Long) || (Long) size.get(i) < 0 || (Long) size.get(i) > Integer.MAX_VALUE
                    || !(stride.get(i) instanceof Long) || (Long) stride.get(i) < 0) {
                throw new FormatException("invalid-tensor", "a tensor's size and stride must be non-negative integers");
            }
            sizes[i] = (int) (long) (Long) size.get(i);
            strides[i] = (Long) stride.get(i);
        }
        if ((Long) a.get(1) < 0) {
            throw new FormatException("invalid-tensor", "a tensor has a negative storage offset");
        }
        return new TensorRef((Storage) a.get(0), (Long) a.get(1), sizes, strides);
    }

    /** A BUILD on an OrderedDict sets its attributes, which is how {@code _metadata} travels. */
    private void build(Object state, Object target) {
        if (!(target instanceof PyDict) || !(state instanceof PyDict)) {
            throw new FormatException("unsupported-build", "the pickle sets the state of something other than an OrderedDict");
        }
        for (Map.Entry<Object, Object> e : ((PyDict) state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw invalid("an attribute name is not a string");
            }
            ((PyDict) target).attributes().put((String) e.getKey(), e.getValue());
        }
    }

    /** {@code ('storage', torch.FloatStorage, key, location, numel)}: one Storage per key. */
    private Storage persistentLoad(Object pid) {
        List<?> t = asTuple(pid, "a persistent id");
        if (t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global)
                || ((Global) t.get(1)).storageDtype == null || !(t.get(2) instanceof String) || !(t.get(4) instanceof Long)
                || (Long) t.get(4) < 0) {
            throw new FormatException("invalid-storage", "a persistent id in the pickle is not a storage "
                    + "('storage', <storage type>, key, location, numel)");
        }
        Dtype dtype = ((Global) t.get(1)).storageDtype;
        String key = (String) t.get(2);
        long numel = (Long) t.get(4);
        Storage s = storages.get(key);
        if (s == null) {
            if (storages.size() >= limits.maxObjects()) {
                throw tooBig("objects", limits.maxObjects());
            }
            s = new Storage(key, dtype, numel);
            storages.put(key, s);
        } else if (s.dtype != dtype || s.numel != numel) {
            throw new FormatException("invalid-storage", "storage '" + key + "' is named twice with different types or sizes");
        }
        return s;
    }

    private void setItems(List<Object> items) {
        if (items.size() % 2 != 0) {
            throw invalid("SETITEMS with an odd number of values");
        }
        Object target = peek();
        if (!(target instanceof PyDict)) {
            throw invalid("SETITEM on something that is not a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            if (!hashable(key, 0)) {
                throw invalid("a dict key holds a list or dict, which Python cannot hash");
            }
            ((PyDict) target).put(key, items.get(i + 1));
        }
    }

    /** Python's rule, which also keeps hashCode from walking into a list that contains itself. */
    private boolean hashable(Object key, int depth) {
        if (key instanceof ArrayList || key instanceof PyDict || depth > limits.maxDepth()) {
            return false;
        }
        if (key instanceof List) {
            for (Object item : (List<?>) key) {
                if (!hashable(item, depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private void appendItems(List<Object> items) {
        Object target = peek();
        if (!(target instanceof ArrayList)) {
            throw invalid("APPEND on something that is not a list");
        }
        ((ArrayList<Object>) target).addAll(items);
    }

    private static List<?> asTuple(Object o, String what) {
        if (!(o instanceof List) || o instanceof ArrayList) {
            throw new FormatException("invalid-pickle", what + " is not a tuple");
        }
        return (List<?>) o;
    }

    private static List<?> asList(Object o, String what) {
        if (!(o instanceof List)) {
            throw new FormatException("invalid-pickle", what + " is not a list or tuple");
        }
        return (List<?>) o;
    }

    private List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private void push(Object o) {
        if (stack.size() >= limits.maxStack()) {
            throw tooBig("stack", limits.maxStack());
        }
        if (++objects > limits.maxObjects()) {
            throw tooBig("objects", limits.maxObjects());
        }
        stack.add(o);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw invalid("the stack is empty");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw invalid("the stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() - n < floor) {
            throw invalid("the stack is empty");
        }
        List<Object> top = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return top;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw invalid("no MARK to pop to");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void put(long index) {
        if (memo.size() >= limits.maxMemo() && !memo.containsKey(index)) {
            throw tooBig("memo", limits.maxMemo());
        }
        memo.put(index, peek());
    }

    private Object get(long index) {
        if (!memo.containsKey(index)) {
            throw invalid("memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    private Object longValue(int n) {
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(reverse(bytes(n)));
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private int length(long n) {
        if (n < 0 || n > data.length - pos) {
            throw truncated();
        }
        return (int) n;
    }

    private int u1() {
        if (pos >= data.length) {
            throw truncated();
        }
        return data[pos++] & 0xff;
    }

    private byte[] bytes(int n) {
        if (n > data.length - pos) {
            throw truncated();
        }
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    private ByteBuffer le(int n) {
        return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A GLOBAL argument: text up to a newline, as pickle writes module and name. */
    private String line() {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            if (pos - start > 256) {
                throw invalid("a global's name is too long");
            }
            pos++;
        }
        if (pos >= data.length) {
            throw truncated();
        }
        String s = new String(data, start, pos - start, StandardCharsets.ISO_8859_1);
        pos++;
        return s;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("invalid-pickle", "a string in the pickle is not valid UTF-8");
        }
    }

    private static byte[] reverse(byte[] b) {
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return b;
    }

    private FormatException invalid(String what) {
        return new FormatException("invalid-pickle", "the pickle is malformed at byte " + pos + ": " + what);
    }

    private FormatException truncated() {
        return new FormatException("truncated-pickle", "the pickle ends at byte " + data.length + " before its STOP: the file is cut short");
    }

    private FormatException tooBig(String what, int limit) {
        return new FormatException("pickle-too-large", "the pickle needs more than " + limit + " " + what
                + " entries, over the limit");
    }
}
