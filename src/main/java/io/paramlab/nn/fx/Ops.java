package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Activations;
import io.paramlab.tensor.Arithmetic;
import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Indexing;
import io.paramlab.tensor.MatMul;
import io.paramlab.tensor.Padding;
import io.paramlab.tensor.Pooling;
import io.paramlab.tensor.Reductions;
import io.paramlab.tensor.ShapeOps;
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
        def(t, "operator.matmul", "a, b", (a, c) -> MatMul.matmul(tensor(a[0]), tensor(a[1])));
        for (Scalars.Comparison comparison : Scalars.Comparison.values()) {
            def(t, "operator." + comparison.pythonName(), "a, b", (a, c) -> comparison.apply(a[0], a[1]));
        }
        def(t, "operator.getitem", "a, b", (a, c) -> getitem(a[0], a[1]));
        def(t, "builtins.getattr", "obj, name", (a, c) -> shapeAttribute(a[0], a[1]));
        def(t, "torch.add", "input, other, *, alpha=1", (a, c) -> Scalars.add(a[0], Scalars.mul(a[1], a[2])));
        def(t, "torch.mul", "input, other", (a, c) -> Scalars.mul(a[0], a[1]));
        def(t, "torch.matmul", "input, other", (a, c) -> MatMul.matmul(tensor(a[0]), tensor(a[1])));
        def(t, "torch.bmm", "input, mat2", (a, c) -> MatMul.bmm(tensor(a[0]), tensor(a[1])));
        def(t, "torch.cat", "tensors, dim=0", (a, c) -> ShapeOps.cat(tensors(a[0]), integer(a[1])));
        def(t, "torch.stack", "tensors, dim=0", (a, c) -> ShapeOps.stack(tensors(a[0]), integer(a[1])));
        def(t, "torch.flatten", "input, start_dim=0, end_dim=-1",
                (a, c) -> ShapeOps.flatten(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "torch.reshape", "input, shape", (a, c) -> ShapeOps.reshape(tensor(a[0]), ints(a[1])));
        def(t, "torch.permute", "input, dims", (a, c) -> ShapeOps.permute(tensor(a[0]), ints(a[1])));
        def(t, "torch.transpose", "input, dim0, dim1", (a, c) -> ShapeOps.transpose(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "torch.unsqueeze", "input, dim", (a, c) -> ShapeOps.unsqueeze(tensor(a[0]), integer(a[1])));
        def(t, "torch.squeeze", "input, dim=None", (a, c) -> squeeze(a[0], a[1]));
        def(t, "torch.chunk", "input, chunks, dim=0", (a, c) -> tuple(ShapeOps.chunk(tensor(a[0]), integer(a[1]), integer(a[2]))));
        def(t, "torch.split", "tensor, split_size_or_sections, dim=0", (a, c) -> split(a[0], a[1], a[2]));
        def(t, "torch.mean", "input, dim=None, keepdim=False, *, dtype=None", (a, c) -> reduce(a, true));
        def(t, "torch.sum", "input, dim=None, keepdim=False, *, dtype=None", (a, c) -> reduce(a, false));
        def(t, "torch.relu", "input", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, "torch.sigmoid", "input", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, "torch.tanh", "input", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, "torch.exp", "input", (a, c) -> Arithmetic.exp(tensor(a[0])));
        def(t, "torch.sqrt", "input", (a, c) -> Arithmetic.sqrt(tensor(a[0])));
        def(t, F + "relu", "input, inplace=False", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, F + "relu6", "input, inplace=False", (a, c) -> Activations.relu6(tensor(a[0])));
        def(t, F + "gelu", "input, approximate='none'", (a, c) -> Functional.gelu(tensor(a[0]), "tanh".equals(a[1])));
        def(t, F + "silu", "input, inplace=False", (a, c) -> Activations.silu(tensor(a[0])));
        def(t, F + "hardswish", "input, inplace=False", (a, c) -> Activations.hardswish(tensor(a[0])));
        def(t, F + "hardsigmoid", "input, inplace=False", (a, c) -> Activations.hardsigmoid(tensor(a[0])));
        def(t, F + "sigmoid", "input", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, F + "tanh", "input", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, F + "softmax", "input, dim=None, _stacklevel=3, dtype=None",
                (a, c) -> Functional.softmax(tensor(a[0]), integer(required(a[1], "softmax", "dim"))));
        def(t, F + "log_softmax", "input, dim=None, _stacklevel=3, dtype=None",
                (a, c) -> Functional.logSoftmax(tensor(a[0]), integer(required(a[1], "log_softmax", "dim"))));
        def(t, F + "dropout", "input, p=0.5, training=True, inplace=False", (a, c) -> dropout(a, c));
        def(t, F + "linear", "input, weight, bias=None",
                (a, c) -> Functional.linear(tensor(a[0]), tensor(a[1]), optionalTensor(a[2])));
        def(t, F + "layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05",
                (a, c) -> Functional.layerNorm(tensor(a[0]), ints(a[1]), optionalTensor(a[2]), optionalTensor(a[3]), number(a[4])));
        def(t, F + "pad", "input, pad, mode='constant', value=None", (a, c) -> Padding.pad(tensor(a[0]), ints(a[1]),
                Padding.Mode.of(string(a[2])), a[3] == null ? 0 : number(a[3])));
        def(t, F + "adaptive_avg_pool2d", "input, output_size",
                (a, c) -> Pooling.adaptiveAvgPool(tensor(a[0]), outputSize(a[1], 2)));
        def(t, F + "avg_pool2d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, "
                + "divisor_override=None", (a, c) -> Pooling.avgPool(tensor(a[0]), pair(a[1]), a[2] == null ? pair(a[1]) : pair(a[2]),
                pair(a[3]), bool(a[4]), bool(a[5]), divisorOverride(a[6])));
        def(t, F + "max_pool2d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False",
                (a, c) -> maxPool2d(a));
        def(t, "torchvision.ops.stochastic_depth", "input, p, mode, training=True", (a, c) -> stochasticDepth(a, c));
        return Collections.unmodifiableMap(t);
    }

    private static Map<String, Op> methods() {
        Map<String, Op> t = new LinkedHashMap<>();
        def(t, "size", "self, dim=None", (a, c) -> a[1] == null ? shape(tensor(a[0]))
                : (Object) (long) tensor(a[0]).size(integer(a[1])));
        def(t, "view", "self, *shape", (a, c) -> ShapeOps.view(tensor(a[0]), sizes(a[1])));
        def(t, "reshape", "self, *shape", (a, c) -> ShapeOps.reshape(tensor(a[0]), sizes(a[1])));
        def(t, "permute", "self, *dims", (a, c) -> ShapeOps.permute(tensor(a[0]), sizes(a[1])));
        def(t, "transpose", "self, dim0, dim1", (a, c) -> ShapeOps.transpose(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "contiguous", "self", (a, c) -> ShapeOps.contiguous(tensor(a[0])));
        def(t, "flatten", "self, start_dim=0, end_dim=-1",
                (a, c) -> ShapeOps.flatten(tensor(a[0]), integer(a[1]), integer(a[2])));
        def(t, "unsqueeze", "self, dim", (a, c) -> ShapeOps.unsqueeze(tensor(a[0]), integer(a[1])));
        def(t, "squeeze", "self, dim=None", (a, c) -> squeeze(a[0], a[1]));
        def(t, "expand", "self, *sizes", (a, c) -> ShapeOps.expand(tensor(a[0]), sizes(a[1])));
        def(t, "mean", "self, dim=None, keepdim=False, *, dtype=None", (a, c) -> reduce(a, true));
        def(t, "sum", "self, dim=None, keepdim=False, *, dtype=None", (a, c) -> reduce(a, false));
        def(t, "chunk", "self, chunks, dim=0", (a, c) -> tuple(ShapeOps.chunk(tensor(a[0]), integer(a[1]), integer(a[2]))));
        def(t, "split", "self, split_size, dim=0", (a, c) -> split(a[0], a[1], a[2]));
        def(t, "masked_fill", "self, mask, value", (a, c) -> Arithmetic.maskedFill(tensor(a[0]), tensor(a[1]), number(a[2])));
        def(t, "softmax", "self, dim", (a, c) -> Functional.softmax(tensor(a[0]), integer(a[1])));
        def(t, "relu", "self", (a, c) -> Functional.relu(tensor(a[0])));
        def(t, "sigmoid", "self", (a, c) -> Functional.sigmoid(tensor(a[0])));
        def(t, "tanh", "self", (a, c) -> Functional.tanh(tensor(a[0])));
        def(t, "matmul", "self, other", (a, c) -> MatMul.matmul(tensor(a[0]), tensor(a[1])));
        def(t, "add", "self, other, *, alpha=1", (a, c) -> Scalars.add(tensor(a[0]), Scalars.mul(a[1], a[2])));
        def(t, "mul", "self, other", (a, c) -> Scalars.mul(tensor(a[0]), a[1]));
        return Collections.unmodifiableMap(t);
    }

    // ------------------------------------------------------------------ ops that need more than one engine call

    private static Object dropout(Object[] a, Call c) {
        double p = number(a[1]);
        if (p < 0 || p > 1) {
            throw new ShapeException("dropout probability has to be between 0 and 1, but got " + p);
        }
        return Functional.dropout(tensor(a[0]), p, bool(a[2]), c.generator());
    }

    private static Object stochasticDepth(Object[] a, Call c) {
        double p = number(a[1]);
        String mode = string(a[2]);
        if (p < 0 || p > 1) {
            throw new ShapeException("drop probability has to be between 0 and 1, but got " + p);
        }
        if (!mode.equals("batch") && !mode.equals("row")) {
            throw new ShapeException("mode has to be either 'batch' or 'row', but got " + mode);
        }
        return Activations.stochasticDepth(tensor(a[0]), p, mode, bool(a[3]), c.generator()::nextDouble);
    }

    private static Object maxPool2d(Object[] a) {
        if (bool(a[6])) {
            throw new ShapeException("max_pool2d(return_indices=True) is not part of the contract");
        }
        int[] kernel = pair(a[1]);
        return Pooling.maxPool(tensor(a[0]), kernel, a[2] == null ? kernel : pair(a[2]), pair(a[3]), pair(a[4]), bool(a[5]));
    }

    private static Object squeeze(Object x, Object dim) {
        return dim == null ? ShapeOps.squeeze(tensor(x)) : ShapeOps.squeeze(tensor(x), integer(dim));
    }

    private static Object split(Object x, Object sizes, Object dim) {
        return tuple(sizes instanceof Long ? ShapeOps.split(tensor(x), integer(sizes), integer(dim))
                : ShapeOps.split(tensor(x), ints(sizes), integer(dim)));
    }

    /** {@code mean} / {@code sum} over every element, or over {@code dim} (an int or a tuple). */
    private static Object reduce(Object[] a, boolean mean) {
        if (a[3] != null) {
            throw new ShapeException("the dtype argument of " + (mean ? "mean" : "sum") + " is not part of the contract");
        }
        Tensor x = tensor(a[0]);
        if (a[1] == null) {
            if (bool(a[2])) {
                int[] all = new int[x.dim()];
                for (int i = 0; i < all.length; i++) all[i] = i;
                return mean ? Reductions.mean(x, all, true) : Reductions.sum(x, all, true);
            }
            return mean ? Reductions.mean(x) : Reductions.sum(x);
        }
        return mean ? Reductions.mean(x, ints(a[1]), bool(a[2])) : Reductions.sum(x, ints(a[1]), bool(a[2]));
    }

    /** An adaptive pool's output_size: an int or a tuple whose None entries keep the input's size (-1 to the engine). */
    private static int[] outputSize(Object value, int rank) {
        if (value instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) out[i] = list.get(i) == null ? -1 : integer(list.get(i));
            return out;
        }
        int[] out = new int[rank];
        java.util.Arrays.fill(out, integer(value));
        return out;
    }

    /** {@code _pair}: an int for both dims, or a tuple of two. */
    private static int[] pair(Object value) {
        int[] v = ints(value);
        return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }

    /** Varargs sizes: {@code view(2, -1)} or {@code view((2, -1))}. */
    private static int[] sizes(Object varargs) {
        List<?> list = (List<?>) varargs;
        return list.size() == 1 && list.get(0) instanceof List<?> inner ? ints(inner) : ints(list);
    }

    private static List<Tensor> tensors(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ShapeException("expected a tuple of Tensors, got " + Module.describe(value));
        }
        List<Tensor> out = new ArrayList<>();
        list.forEach(v -> out.add(tensor(v)));
        return out;
    }

    private static List<Object> tuple(List<Tensor> tensors) {
        return Collections.unmodifiableList(new ArrayList<>(tensors));
    }

    static String string(Object value) {
        if (value instanceof String s) return s;
        throw new ShapeException("expected a str, got " + Module.describe(value));
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
        if (value instanceof Long l) {   // "expected an int, got int" said nothing: the number and the range it is past
            throw new ShapeException("expected an int from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ", got " + l);
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

    /** {@code divisor_override}: None is the window's own count (0 to the engine); 0 itself is refused as PyTorch refuses it. */
    private static int divisorOverride(Object value) {
        if (value == null) {
            return 0;
        }
        int divisor = integer(value);
        if (divisor == 0) {
            throw new ShapeException("divisor must be not zero");
        }
        return divisor;
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

    /** {@code a[b]}: a tuple's item or slice, or a tensor's basic indexing (ints, slices, None, ...). */
    static Object getitem(Object a, Object index) {
        if (a instanceof Tensor t) {
            List<?> entries = index instanceof List<?> l ? l : Collections.singletonList(index);
            Indexing.Index[] indices = new Indexing.Index[entries.size()];
            for (int i = 0; i < indices.length; i++) indices[i] = index(entries.get(i));
            return Indexing.getItem(t, indices);
        }
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

    private static Indexing.Index index(Object entry) {
        if (entry == null) return Indexing.Index.newAxis();
        if (entry == Arg.ELLIPSIS) return Indexing.Index.ellipsis();
        if (entry instanceof Long) return Indexing.Index.at(integer(entry));
        if (entry instanceof Arg.SliceValue s) {
            return Indexing.Index.slice(s.start() == null ? null : clampInt(s.start()), s.stop() == null ? null : clampInt(s.stop()),
                    s.step() == null ? 1 : integer(s.step()));
        }
        throw new ShapeException("only integers, slices (`:`), ellipsis (`...`) and None are valid indices, got "
                + Module.describe(entry));
    }

    /** A slice bound past an int's range means "the end", as Python clamps it. */
    private static int clampInt(long bound) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, bound));
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
