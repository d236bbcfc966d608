package io.paramlab.nn.fx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An argument of a graph node as fx writes it, in its JSON form: a constant, an earlier node's
 * value, a tuple, a slice, {@code ...}, or the module's current mode. Each form evaluates itself
 * against the values computed so far and writes itself back as the spec echoes it.
 */
public sealed interface Arg {

    /** The Python value: Tensor, Long, Double, Boolean, String, null, a List for a tuple, a {@link SliceValue}, {@link #ELLIPSIS}. */
    Object value(Frame frame);

    /** The JSON form, as the spec echo writes it. */
    Object json();

    /** Every node this argument reads, nested ones included. */
    default void forEachNode(Consumer<String> visitor) {
    }

    /** Python's {@code ...}. */
    Object ELLIPSIS = new Object() {
        @Override
        public String toString() {
            return "Ellipsis";
        }
    };

    /** What an argument can read: the values of earlier nodes and the module's mode. */
    interface Frame {
        Object node(String name);

        boolean training();
    }

    /** A Python {@code slice(start, stop, step)} with its entries evaluated (Long or null). */
    record SliceValue(Long start, Long stop, Long step) {
    }

    /** A number (Long for a JSON integer, Double otherwise, a non-finite Double from {@code {"float": "inf"}}), bool, string or null. */
    record Constant(Object constant) implements Arg {
        public Object value(Frame frame) {
            return constant;
        }

        public Object json() {
            if (constant instanceof Double d && !Double.isFinite(d)) {
                return Map.of("float", d.isNaN() ? "nan" : d > 0 ? "inf" : "-inf");
            }
            return constant;
        }
    }

    record NodeRef(String name) implements Arg {
        public Object value(Frame frame) {
            return frame.node(name);
        }

        public Object json() {
            return Map.of("node", name);
        }

        @Override
        public void forEachNode(Consumer<String> visitor) {
            visitor.accept(name);
        }
    }

    /** A JSON list: a Python tuple or list, its items evaluated in order. */
    record Tuple(List<Arg> items) implements Arg {
        public Object value(Frame frame) {
            List<Object> values = new ArrayList<>(items.size());
            for (Arg item : items) values.add(item.value(frame));
            return java.util.Collections.unmodifiableList(values);
        }

        public Object json() {
            List<Object> out = new ArrayList<>();
            items.forEach(i -> out.add(i.json()));
            return out;
        }

        @Override
        public void forEachNode(Consumer<String> visitor) {
            items.forEach(i -> i.forEachNode(visitor));
        }
    }

    /** {@code {"slice": [start, stop, step]}}; entries are null, ints or nodes. */
    record Slice(Arg start, Arg stop, Arg step) implements Arg {
        public Object value(Frame frame) {
            return new SliceValue(index(start, frame), index(stop, frame), index(step, frame));
        }

        private static Long index(Arg arg, Frame frame) {
            Object v = arg.value(frame);
            if (v == null || v instanceof Long) {
                return (Long) v;
            }
            throw new io.paramlab.tensor.ShapeException("slice indices must be integers or None, got "
                    + io.paramlab.nn.Module.describe(v));
        }

        public Object json() {
            List<Object> out = new ArrayList<>();
            out.add(start.json());
            out.add(stop.json());
            out.add(step.json());
            return Map.of("slice", out);
        }

        @Override
        public void forEachNode(Consumer<String> visitor) {
            start.forEachNode(visitor);
            stop.forEachNode(visitor);
            step.forEachNode(visitor);
        }
    }

    record Ellipsis() implements Arg {
        public Object value(Frame frame) {
            return ELLIPSIS;
        }

        public Object json() {
            return Map.of("ellipsis", true);
        }
    }

    /** {@code {"training": true}}: {@code self.training} at the time of the call. */
    record Training() implements Arg {
        public Object value(Frame frame) {
            return frame.training();
        }

        public Object json() {
            return Map.of("training", true);
        }
    }

    /** Keyword arguments as JSON, in their order. */
    static Map<String, Object> json(Map<String, Arg> kwargs) {
        Map<String, Object> out = new LinkedHashMap<>();
        kwargs.forEach((k, v) -> out.put(k, v.json()));
        return out;
    }
}
