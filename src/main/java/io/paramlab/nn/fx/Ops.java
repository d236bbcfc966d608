package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions ({@code call_function}) and tensor methods ({@code call_method}) a graph may call:
 * each target once, with its Python signature and the engine call it makes. The validator reads
 * the signatures, the interpreter binds and calls, so the two cannot disagree.
 */
public final class Ops {
    private Ops() {
    }

    /** What an op can reach beyond its arguments: the module's mode and the model's generator. */
    public interface Call {
        boolean training();

        Generator generator();
    }

    @FunctionalInterface
    public interface Impl {
        Object apply(Object[] args, Call call);
    }

    /** One op: its signature and its engine call. */
    public record Op(Signature signature, Impl impl) {
        Object call(List<Object> args, Map<String, Object> kwargs, Call call) {
            return impl.apply(signature.bind(args, kwargs), call);
        }
    }

    public static final Map<String, Op> FUNCTIONS = functions();
    public static final Map<String, Op> METHODS = methods();

    private static final String F = "torch.nn.functional.";

    private static Map<String, Op> functions() {
        Map<String, Op> t = new LinkedHashMap<>();
        def(t, "operator.add", "a, b", (a, c) -> Scalars.add(a[0], a[1]));
        def(t, "operator.sub", "a, b", (a, c) -> Scalars.sub(a[0], a[1]));
        def(t, "operator.mul", "a, b", (a, c) -> Scalars.mul(a[0], a[1]));
        def(t, "operator.truediv", "a, b", (a, c) -> Scalars.truediv(a[0], a[1]));
        def(t, "operator.floordiv", "a, b", (a, c) -> Scalars.floordiv(a[0], a[1]));
        def(t, "operator.neg", "a", (a, c) -> Scalars.neg(a[0]));
        def(t, "operator.getitem", "a, b", (a, c) -> getitem(a[0], a[1]));
        def(t, "builtins.getattr", "obj, name", (a, c) -> shapeAttribute(a[0], a[1]));
        def(t, "torch.flatten", "input, start_dim=0, end_dim=-1",
                (a, c) -> Functional.flatten(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "torch.relu", "input", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, "torch.sigmoid", "input", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, "torch.tanh", "input", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, F + "relu", "input, inplace=False", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, F + "sigmoid", "input", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, F + "tanh", "input", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, F + "gelu", "input, approximate='none'", (a, c) -> Functional.gelu(tensor(a[0]), "tanh".equals(a[1])));
        def(t, F + "softmax", "input, dim=None, _stacklevel=3, dtype=None",
                (a, c) -> Functional.softmax(tensor(a[0]), integer(required(a[1], "softmax", "dim"))));
        def(t, F + "dropout", "input, p=0.5, training=True, inplace=False",
                (a, c) -> Functional.dropout(tensor(a[0]), number(a[1]), bool(a[2]), c.generator()::nextDouble));
        def(t, F + "linear", "input, weight, bias=None",
                (a, c) -> Functional.linear(tensor(a[0]), tensor(a[1]), optionalTensor(a[2])));
        def(t, F + "layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05",
                (a, c) -> Functional.layerNorm(tensor(a[0]), ints(a[1]), optionalTensor(a[2]), optionalTensor(a[3]), number(a[4])));
        return Collections.unmodifiableMap(t);
    }

    private static Map<String, Op> methods() {
        Map<String, Op> t = new LinkedHashMap<>();
        def(t, "size", "self, dim=None", (a, c) -> a[1] == null ? shape(tensor(a[0]))
                : (Object) (long) tensor(a[0]).size(integer(a[1])));
        def(t, "contiguous", "self", (a, c) -> tensor(a[0]));
        def(t, "flatten", "self, start_dim=0, end_dim=-1",
                (a, c) -> Functional.flatten(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "relu", "self", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, "sigmoid", "self", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, "tanh", "self", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, "softmax", "self, dim", (a, c) -> Functional.softmax(tensor(a[0]), integer(a[1])));
        return Collections.unmodifiableMap(t);
    }

    private static void def(Map<String, Op> table, String target, String signature, Impl impl) {
        String name = target.substring(target.lastIndexOf('.') + 1);
        table.put(target, new Op(Signature.parse(name, signature), impl));
    }

    // ------------------------------------------------------------------ values as the ops take them

    static Tensor tensor(Object value) {
        if (value instanceof Tensor t) {
            return t;
        }
        throw new ShapeException("expected a Tensor, got " + Module.describe(value));
    }

    static Tensor optionalTensor(Object value) {
        return value == null ? null : tensor(value);
    }

    static int integer(Object value) {
        if (value instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        throw new ShapeException("expected an int, got " + Module.describe(value));
    }

    static double number(Object value) {
        if (value instanceof Long l) return l;
        if (value instanceof Double d) return d;
        throw new ShapeException("expected a number, got " + Module.describe(value));
    }

    static boolean bool(Object value) {
        if (value instanceof Boolean b) return b;
        throw new ShapeException("expected a bool, got " + Module.describe(value));
    }

    static Object required(Object value, String function, String argument) {
        if (value == null) {
            throw new ShapeException(function + "() needs '" + argument + "'; PyTorch's implicit choice is deprecated");
        }
        return value;
    }

    /** An int or a tuple of ints, as {@code kernel_size} or {@code normalized_shape} take. */
    static int[] ints(Object value) {
        if (value instanceof Long) {
            return new int[] {integer(value)};
        }
        if (value instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) out[i] = integer(list.get(i));
            return out;
        }
        throw new ShapeException("expected an int or a tuple of ints, got " + Module.describe(value));
    }

    /** {@code x.shape}, a torch.Size: a tuple of ints. */
    static List<Object> shape(Tensor x) {
        List<Object> out = new ArrayList<>();
        for (int d : x.shape()) out.add((long) d);
        return Collections.unmodifiableList(out);
    }

    private static Object shapeAttribute(Object obj, Object name) {
        if (!"shape".equals(name)) {
            throw new ShapeException("getattr: only the attribute 'shape' is part of the contract, got " + name);
        }
        return shape(tensor(obj));
    }

    /** {@code a[b]}: a tuple's item or slice (a tensor's indexing comes with the engine's). */
    static Object getitem(Object a, Object index) {
        if (a instanceof List<?> list) {
            if (index instanceof Long i) {
                long k = i < 0 ? i + list.size() : i;
                if (k < 0 || k >= list.size()) {
                    throw new ShapeException("tuple index out of range");
                }
                return list.get((int) k);
            }
            if (index instanceof Arg.SliceValue s) {
                return sliceList(list, s);
            }
            throw new ShapeException("tuple indices must be integers or slices, not " + Module.describe(index));
        }
        throw new ShapeException("'" + Module.describe(a) + "' object is not subscriptable");
    }

    private static List<Object> sliceList(List<?> list, Arg.SliceValue s) {
        int n = list.size();
        long step = s.step() == null ? 1 : s.step();
        if (step == 0) {
            throw new ShapeException("slice step cannot be zero");
        }
        List<Object> out = new ArrayList<>();
        if (step > 0) {
            long start = clamp(s.start() == null ? 0 : s.start(), n, 0, n);
            long stop = clamp(s.stop() == null ? n : s.stop(), n, 0, n);
            for (long i = start; i < stop; i += step) out.add(list.get((int) i));
        } else {
            long start = clamp(s.start() == null ? n - 1 : s.start(), n, -1, n - 1);
            long stop = s.stop() == null ? -1 : clamp(s.stop(), n, -1, n - 1);
            for (long i = start; i > stop; i += step) out.add(list.get((int) i));
        }
        return Collections.unmodifiableList(out);
    }

    private static long clamp(long index, int n, long lo, long hi) {
        long i = index < 0 ? index + n : index;
        return Math.max(lo, Math.min(hi, i));
    }
}
