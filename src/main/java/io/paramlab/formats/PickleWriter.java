package io.paramlab.formats;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pickle protocol 2 as Python's pickler writes it for a state dict: strings and globals memoized
 * (BINPUT, then BINGET when repeated), small tuples as TUPLE1..3, dict items in SETITEMS batches
 * of 1000. Only what {@link TorchSave} writes: no general object pickling.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new HashMap<>();
    private int nextMemo;

    PickleWriter proto() {
        out.write(0x80);
        out.write(2);
        return this;
    }

    PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleWriter mark() {
        return op('(');
    }

    /** GLOBAL 'module\nname\n', memoized like Python's pickler. */
    PickleWriter global(String module, String name) {
        String id = "g" + module + "." + name;
        if (!recall(id)) {
            out.writeBytes(("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            remember(id);
        }
        return this;
    }

    PickleWriter string(String s) {
        if (!recall("s" + s)) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            remember("s" + s);
        }
        return this;
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) v & 0xff);
            out.write((int) (v >>> 8));
        } else if (v == (int) v) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            byte[] be = BigInteger.valueOf(v).toByteArray();
            out.write(0x8a);
            out.write(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                out.write(be[i]);
            }
        }
        return this;
    }

    /** A tuple of ints, the way Python writes torch.Size and strides. */
    PickleWriter intTuple(long[] values) {
        if (values.length == 0) {
            return op(')');
        }
        if (values.length > 3) {
            mark();
        }
        for (long v : values) {
            integer(v);
        }
        return op(values.length == 1 ? 0x85 : values.length == 2 ? 0x86 : values.length == 3 ? 0x87 : 't');
    }

    /** The plain values {@code _metadata} holds: str, int, float, bool, None, dict, list. */
    PickleWriter value(Object v) {
        if (v == null) {
            return op('N');
        } else if (v instanceof String) {
            return string((String) v);
        } else if (v instanceof Boolean) {
            return op((Boolean) v ? 0x88 : 0x89);
        } else if (v instanceof Integer || v instanceof Long) {
            return integer(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            out.write('G');
            out.writeBytes(ByteBuffer.allocate(8).putDouble(((Number) v).doubleValue()).array());
            return this;
        } else if (v instanceof Map) {
            op('}');
            dictItems((Map<?, ?>) v);
            return this;
        } else if (v instanceof List) {
            op(']');
            if (!((List<?>) v).isEmpty()) {
                mark();
                ((List<?>) v).forEach(this::value);
                op('e');
            }
            return this;
        }
        throw new IllegalArgumentException("cannot pickle a " + v.getClass().getSimpleName() + " in metadata");
    }

    /** SETITEMS of a dict's entries (keys and values as plain values), in batches as Python writes them. */
    PickleWriter dictItems(Map<?, ?> map) {
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (i % 1000 == 0) {
                if (i > 0) {
                    op('u');
                }
                mark();
            }
            value(e.getKey());
            value(e.getValue());
            i++;
        }
        if (i > 0) {
            op('u');
        }
        return this;
    }

    byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    private boolean recall(String id) {
        Integer index = memo.get(id);
        if (index == null) {
            return false;
        }
        if (index < 256) {
            out.write('h');
            out.write(index);
        } else {
            out.write('j');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(index).array());
        }
        return true;
    }

    private void remember(String id) {
        int index = nextMemo++;
        memo.put(id, index);
        if (index < 256) {
            out.write('q');
            out.write(index);
        } else {
            out.write('r');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(index).array());
        }
    }
}
