package io.paramlab.model;

import io.paramlab.nn.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How two state dicts of one model differ, key by key in {@code state_dict} order: B − A as PyTorch
 * computes it (a float32 subtraction per element), the norms summed in double.
 */
public final class StateDiff {
    private StateDiff() {
    }

    /**
     * One key: {@code changed_elements} counts elements that are not equal (NaN equals NaN here, so an
     * untouched NaN is no change), {@code l2_diff} is ‖B−A‖₂ and {@code relative_l2} is ‖B−A‖₂ / ‖A‖₂,
     * null when ‖A‖₂ is 0.
     */
    public record Entry(String key, int[] shape, long changedElements, double maxAbsDiff, double l2Diff, Double relativeL2) {
    }

    /** {@code to} − {@code from}; keys or shapes that differ are a 422 (the two are not of one module tree). */
    public static List<Entry> of(Map<String, TensorData> from, Map<String, TensorData> to) {
        if (!from.keySet().equals(to.keySet())) {
            List<String> onlyFrom = from.keySet().stream().filter(k -> !to.containsKey(k)).toList();
            List<String> onlyTo = to.keySet().stream().filter(k -> !from.containsKey(k)).toList();
            throw new UnprocessableException("", "the state dicts have different keys: only in from " + onlyFrom + ", only in to " + onlyTo);
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, TensorData> e : to.entrySet()) {
            TensorData a = from.get(e.getKey());
            TensorData b = e.getValue();
            if (!Arrays.equals(a.shape(), b.shape()) || !a.dtype().equals(b.dtype())) {
                throw new UnprocessableException("", "size mismatch for " + e.getKey() + ": from has " + TensorData.torchSize(a.shape())
                        + " (" + a.dtype() + "), to has " + TensorData.torchSize(b.shape()) + " (" + b.dtype() + ")");
            }
            out.add(entry(e.getKey(), a, b));
        }
        return out;
    }

    private static Entry entry(String key, TensorData a, TensorData b) {
        long changed = 0;
        double maxAbs = 0;
        double sumSquares = 0;
        double baseSquares = 0;
        for (int i = 0; i < b.numel(); i++) {
            double x;
            double d;
            boolean same;
            if (b.isFloat()) {
                float fa = a.floats()[i];
                float fb = b.floats()[i];
                x = fa;
                d = fb - fa;   // float32, as (b - a) in torch
                same = fa == fb || (Float.isNaN(fa) && Float.isNaN(fb));
            } else {
                long la = a.isBool() ? (a.bools()[i] ? 1 : 0) : a.longs()[i];   // a mask as 0 and 1, as its stats are
                long lb = b.isBool() ? (b.bools()[i] ? 1 : 0) : b.longs()[i];
                x = la;
                d = (double) lb - la;
                same = la == lb;
            }
            baseSquares += x * x;
            if (same) {
                continue;   // an unchanged NaN or infinity is no difference
            }
            changed++;
            double abs = Math.abs(d);
            if (Double.isNaN(abs) || abs > maxAbs) {
                maxAbs = Double.isNaN(maxAbs) ? maxAbs : abs;   // NaN propagates, as torch's max does
            }
            sumSquares += d * d;
        }
        double l2 = Math.sqrt(sumSquares);
        double base = Math.sqrt(baseSquares);
        return new Entry(key, b.shape(), changed, maxAbs, l2, base == 0 ? null : l2 / base);
    }
}
