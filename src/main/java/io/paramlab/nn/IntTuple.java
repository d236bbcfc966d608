package io.paramlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An argument PyTorch takes as an int or a tuple ({@code kernel_size}, {@code stride}, ...), as the
 * module stores it: a bare int, or a tuple (an entry {@link #NONE} is Python's None, as in an
 * adaptive pool's output_size). Its {@code repr} and JSON follow what is stored.
 */
public record IntTuple(int[] values, boolean tuple) {
    public static final int NONE = -1;

    public static IntTuple of(int value) {
        return new IntTuple(new int[] {value}, false);
    }

    public static IntTuple tuple(int... values) {
        return new IntTuple(values.clone(), true);
    }

    /** PyTorch's {@code _single}/{@code _pair}: the same value r times unless a tuple already. */
    public IntTuple asTuple(int r) {
        return tuple ? this : tuple(expand(r));
    }

    /** One value per dim of r dims. */
    public int[] expand(int r) {
        if (tuple) {
            return values.clone();
        }
        int[] out = new int[r];
        Arrays.fill(out, values[0]);
        return out;
    }

    /** {@code 2}, {@code (2,)}, {@code (2, 2)}, {@code (None, 7)}. */
    public String repr() {
        if (!tuple) {
            return entry(values[0]);
        }
        if (values.length == 1) {
            return "(" + entry(values[0]) + ",)";
        }
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) out.append(i == 0 ? "" : ", ").append(entry(values[i]));
        return out.append(")").toString();
    }

    private static String entry(int v) {
        return v == NONE ? "None" : Integer.toString(v);
    }

    /** The JSON echo: an int, or a list (None as null). */
    public Object json() {
        if (!tuple) {
            return values[0];
        }
        List<Integer> out = new ArrayList<>();
        for (int v : values) out.add(v == NONE ? null : v);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTuple t && tuple == t.tuple && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 2 + (tuple ? 1 : 0);
    }

    @Override
    public String toString() {
        return repr();
    }
}
