package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;

import io.paramlab.nn.IntTuple;
import io.paramlab.spec.Param.Kind;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.paramlab.spec.Param.optional;
import static io.paramlab.spec.Param.required;

/**
 * A layer of a model spec. Each layer type is declared here once: {@link #DECLARATIONS} gives its
 * PyTorch name, docs and arguments with their defaults ({@link Param}), from which the parser
 * reads ({@link Args}) and the OpenAPI schema is made; its record says what it allocates
 * ({@link #elements}), how it builds and how it writes back ({@link #arguments}). Adding a type
 * means one declaration and record here, its module in {@code nn} and its op in {@code tensor}.
 */
public sealed interface LayerSpec extends NodeSpec {

    /** A layer type: its PyTorch name, a line of docs, its arguments in PyTorch's order, and its parser. */
    record Declaration(String type, String doc, List<Param> params, Function<Args, LayerSpec> parser) {
    }

    /** Every layer type by its PyTorch name, in the order the docs list them (Sequential is structural, see {@link NodeSpec}). */
    Map<String, Declaration> DECLARATIONS = declarations();

    /** Every layer type's parser by its PyTorch name. */
    Map<String, Function<Args, LayerSpec>> TYPES = parsers();

    private static Map<String, Function<Args, LayerSpec>> parsers() {
        Map<String, Function<Args, LayerSpec>> types = new LinkedHashMap<>();
        DECLARATIONS.forEach((name, d) -> types.put(name, d.parser()));
        return Collections.unmodifiableMap(types);
    }

    private static Map<String, Declaration> declarations() {
        Map<String, Declaration> d = new LinkedHashMap<>();
        Param inplace = optional("inplace", Kind.BOOL, false, "accepted; computed out of place");
        declare(d, "Linear", "nn.Linear: weight [out, in], bias [out], drawn as reset_parameters() does", Linear::parse,
                required("in_features", Kind.POSITIVE_INT, "size of each input sample"),
                required("out_features", Kind.POSITIVE_INT, "size of each output sample"),
                optional("bias", Kind.BOOL, true, "whether to learn an additive bias"));
        declare(d, "LazyLinear", "nn.LazyLinear: in_features from the first forward's input, which draws weight then bias "
                        + "and makes it a Linear", LazyLinear::parse,
                required("out_features", Kind.POSITIVE_INT, "size of each output sample"),
                optional("bias", Kind.BOOL, true, "whether to learn an additive bias"));
        declare(d, "ReLU", "nn.ReLU", a -> new Elementwise("ReLU", a.bool("inplace")), inplace);
        for (io.paramlab.nn.Activation n : io.paramlab.nn.Activation.values()) {
            if (n != io.paramlab.nn.Activation.ReLU) {
                declare(d, n.typeName(), "nn." + n.typeName(), a -> new Activation(n));
            }
        }
        declare(d, "LeakyReLU", "nn.LeakyReLU", LeakyReLU::parse, optional("negative_slope", Kind.NUMBER, 0.01, "slope for x < 0"));
        declare(d, "GELU", "nn.GELU", GELU::parse, Param.choice("approximate", "none", List.of("none", "tanh"), "tanh approximation or none"));
        declare(d, "Softmax", "nn.Softmax", a -> new Softmax(a.integer("dim")), optional("dim", Kind.INT, null,
                "null (the default, PyTorch's dim=None): the implicit dim, 0 for a 0-, 1- or 3-D input, else 1"));
        declare(d, "Dropout", "nn.Dropout: drops in training mode only", Dropout::parse,
                optional("p", Kind.NUMBER, 0.5, "probability of an element to be zeroed, in [0, 1]"), inplace);
        declare(d, "Flatten", "nn.Flatten", a -> new Flatten(a.integer("start_dim"), a.integer("end_dim")),
                optional("start_dim", Kind.INT, 1, "first dim to flatten"), optional("end_dim", Kind.INT, -1, "last dim to flatten"));
        declare(d, "LayerNorm", "nn.LayerNorm: weight ones, bias zeros", LayerNorm::parse,
                required("normalized_shape", Kind.SHAPE, "an int or a non-empty list of ints (answers give the list)"),
                optional("eps", Kind.NUMBER, 1e-5, "added to the variance"),
                optional("elementwise_affine", Kind.BOOL, true, "learn weight and bias"));
        for (int r = 1; r <= 2; r++) {
            int rank = r;
            declare(d, "BatchNorm" + r + "d", "nn.BatchNorm" + r + "d over " + (r == 1 ? "[N, C] or [N, C, L]" : "[N, C, H, W]")
                            + ": buffers running_mean, running_var, num_batches_tracked (int64)", a -> BatchNorm.parse(a, rank),
                    required("num_features", Kind.POSITIVE_INT, "C"), optional("eps", Kind.NUMBER, 1e-5, "added to the variance"),
                    optional("momentum", Kind.NULLABLE_NUMBER, 0.1, "null: a cumulative average"),
                    optional("affine", Kind.BOOL, true, "learn weight (ones) and bias (zeros)"),
                    optional("track_running_stats", Kind.BOOL, true, "keep running statistics"));
        }
        for (int r = 1; r <= 2; r++) {
            int rank = r;
            declare(d, "Conv" + r + "d", "nn.Conv" + r + "d: weight [out, in / groups, *kernel], bias [out]; kaiming_uniform(a=sqrt(5)) "
                            + "then U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as reset_parameters() draws them", a -> Conv.parse(a, rank),
                    required("in_channels", Kind.POSITIVE_INT, "channels of the input"),
                    required("out_channels", Kind.POSITIVE_INT, "channels of the output"),
                    required("kernel_size", Kind.SIZE, "an int or a list of " + r),
                    optional("stride", Kind.SIZE, 1, "an int or a list of " + r),
                    optional("padding", Kind.CONV_PADDING, 0, "an int, a list of " + r + ", \"same\" or \"valid\""),
                    optional("dilation", Kind.SIZE, 1, "an int or a list of " + r),
                    optional("groups", Kind.POSITIVE_INT, 1, "divides in_channels and out_channels"),
                    optional("bias", Kind.BOOL, true, "whether to learn an additive bias"),
                    Param.choice("padding_mode", "zeros", List.of("zeros", "reflect", "replicate", "circular"), "how to pad"));
        }
        for (int r = 1; r <= 2; r++) {
            int rank = r;
            declare(d, "MaxPool" + r + "d", "nn.MaxPool" + r + "d", a -> Pool.parseMax(a, rank),
                    required("kernel_size", Kind.SIZE, "an int or a list of " + r),
                    optional("stride", Kind.SIZE, null, "null: kernel_size"),
                    optional("padding", Kind.PADDING, 0, "at most half the kernel size"),
                    optional("dilation", Kind.SIZE, 1, "spacing of the window's elements"),
                    optional("ceil_mode", Kind.BOOL, false, "round the output size up"));
        }
        for (int r = 1; r <= 2; r++) {
            int rank = r;
            List<Param> params = new java.util.ArrayList<>(List.of(
                    required("kernel_size", Kind.SIZE, "an int or a list of " + r),
                    optional("stride", Kind.SIZE, null, "null: kernel_size"),
                    optional("padding", Kind.PADDING, 0, "at most half the kernel size"),
                    optional("ceil_mode", Kind.BOOL, false, "round the output size up"),
                    optional("count_include_pad", Kind.BOOL, true, "count the padding in the divisor")));
            if (r == 2) {
                params.add(optional("divisor_override", Kind.POSITIVE_INT, null, "the divisor instead of the window's size"));
            }
            declare(d, "AvgPool" + r + "d", "nn.AvgPool" + r + "d" + (r == 1 ? " (keeps its arguments as tuples: (2,))" : ""),
                    a -> Pool.parseAvg(a, rank), params.toArray(Param[]::new));
        }
        for (String kind : List.of("Avg", "Max")) {
            for (int r = 1; r <= 2; r++) {
                int rank = r;
                boolean max = kind.equals("Max");
                declare(d, "Adaptive" + kind + "Pool" + r + "d", "nn.Adaptive" + kind + "Pool" + r + "d",
                        a -> new Pool.Adaptive(rank, max, a.outputSize("output_size", rank)),
                        required("output_size", Kind.OUTPUT_SIZE, "an int or a list of " + r + " (an entry may be null: keep that size)"));
            }
        }
        declare(d, "GroupNorm", "nn.GroupNorm: weight ones, bias zeros", GroupNorm::parse,
                required("num_groups", Kind.POSITIVE_INT, "divides num_channels"),
                required("num_channels", Kind.POSITIVE_INT, "C"),
                optional("eps", Kind.NUMBER, 1e-5, "added to the variance"),
                optional("affine", Kind.BOOL, true, "learn weight (ones) and bias (zeros)"));
        for (String type : List.of("ReLU6", "SiLU", "Hardswish", "Hardsigmoid", "Mish")) {
            declare(d, type, "nn." + type, a -> new Elementwise(type, a.bool("inplace")), inplace);
        }
        declare(d, "ELU", "nn.ELU", a -> new ELU(a.numberKeepingForm("alpha"), a.bool("inplace")),
                optional("alpha", Kind.NUMBER_KEEPING_FORM, 1.0, "the negative saturation"), inplace);
        declare(d, "Softplus", "nn.Softplus", a -> new Softplus(a.numberKeepingForm("beta"), a.numberKeepingForm("threshold")),
                optional("beta", Kind.NUMBER_KEEPING_FORM, 1, "log(1 + exp(beta x)) / beta"),
                optional("threshold", Kind.NUMBER_KEEPING_FORM, 20, "linear above beta x > threshold"));
        declare(d, "LogSoftmax", "nn.LogSoftmax", a -> new LogSoftmax(a.integer("dim")),
                optional("dim", Kind.INT, null,
                        "null (the default, PyTorch's dim=None): the implicit dim, 0 for a 0-, 1- or 3-D input, else 1"));
        declare(d, "Embedding", "nn.Embedding: weight [num, dim] from N(0, 1), the padding row zeroed; input int64 indices of any shape",
                Embedding::parse,
                required("num_embeddings", Kind.POSITIVE_INT, "size of the dictionary"),
                required("embedding_dim", Kind.POSITIVE_INT, "size of each embedding vector"),
                optional("padding_idx", Kind.INT, null, "a row that gets no gradient from the lookup (drawn, then zeroed)"));
        for (String type : List.of("RNN", "LSTM", "GRU")) {
            List<Param> params = new java.util.ArrayList<>(List.of(
                    required("input_size", Kind.POSITIVE_INT, "features of the input"),
                    required("hidden_size", Kind.POSITIVE_INT, "features of the hidden state"),
                    optional("num_layers", Kind.POSITIVE_INT, 1, "stacked recurrent layers"),
                    optional("bias", Kind.BOOL, true, "bias_ih and bias_hh"),
                    optional("batch_first", Kind.BOOL, false, "input and output as (batch, seq, feature)"),
                    optional("dropout", Kind.NUMBER, 0.0, "dropout on the outputs of each layer but the last, in training"),
                    optional("bidirectional", Kind.BOOL, false, "a second direction, reversed")));
            if (type.equals("RNN")) {
                params.add(Param.choice("nonlinearity", "tanh", List.of("tanh", "relu"), "the cell's nonlinearity"));
            }
            if (type.equals("LSTM")) {
                params.add(optional("proj_size", Kind.INT, 0, "project h to this size (weight_hr_l{k}); 0: no projection"));
            }
            declare(d, type, "nn." + type + ": weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (_reverse), "
                    + "U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); forward (input, hx) -> (output, h_n)"
                    + (type.equals("LSTM") ? " with hx and h_n as (h, c)" : ""), a -> Recurrent.parse(a, type), params.toArray(Param[]::new));
        }
        for (String type : List.of("RNNCell", "LSTMCell", "GRUCell")) {
            List<Param> params = new java.util.ArrayList<>(List.of(
                    required("input_size", Kind.POSITIVE_INT, "features of the input"),
                    required("hidden_size", Kind.POSITIVE_INT, "features of the hidden state"),
                    optional("bias", Kind.BOOL, true, "bias_ih and bias_hh")));
            if (type.equals("RNNCell")) {
                params.add(Param.choice("nonlinearity", "tanh", List.of("tanh", "relu"), "the cell's nonlinearity"));
            }
            declare(d, type, "nn." + type + ": weight_ih, weight_hh, bias_ih, bias_hh; forward (input, hx) -> h'"
                    + (type.equals("LSTMCell") ? " (h', c')" : ""), a -> Cell.parse(a, type), params.toArray(Param[]::new));
        }
        declare(d, "MultiheadAttention", "nn.MultiheadAttention: in_proj_weight, in_proj_bias (q/k/v_proj_weight when kdim or vdim "
                        + "differ), out_proj; forward (query, key, value, key_padding_mask, need_weights, attn_mask, "
                        + "average_attn_weights) -> (attn_output, attn_weights)", MultiheadAttention::parse,
                required("embed_dim", Kind.POSITIVE_INT, "E"),
                required("num_heads", Kind.POSITIVE_INT, "divides embed_dim"),
                optional("dropout", Kind.NUMBER, 0.0, "dropout on the attention weights, in training"),
                optional("bias", Kind.BOOL, true, "in_proj_bias and out_proj.bias"),
                optional("add_bias_kv", Kind.BOOL, false, "bias_k and bias_v appended to key and value"),
                optional("add_zero_attn", Kind.BOOL, false, "a zero key and value appended"),
                optional("kdim", Kind.POSITIVE_INT, null, "features of key (null: embed_dim)"),
                optional("vdim", Kind.POSITIVE_INT, null, "features of value (null: embed_dim)"),
                optional("batch_first", Kind.BOOL, false, "(batch, seq, feature)"));
        for (String type : List.of("TransformerEncoderLayer", "TransformerDecoderLayer")) {
            declare(d, type, "nn." + type + ": self_attn" + (type.contains("Decoder") ? ", multihead_attn" : "")
                            + ", linear1, dropout, linear2, norms and dropouts as PyTorch registers them", a -> TransformerLayer.parse(a, type),
                    required("d_model", Kind.POSITIVE_INT, "features of the input"),
                    required("nhead", Kind.POSITIVE_INT, "attention heads (divides d_model)"),
                    optional("dim_feedforward", Kind.POSITIVE_INT, 2048, "width of the feedforward network"),
                    optional("dropout", Kind.NUMBER, 0.1, "dropout probability"),
                    Param.choice("activation", "relu", List.of("relu", "gelu"), "the feedforward's activation"),
                    optional("layer_norm_eps", Kind.NUMBER, 1e-5, "the norms' eps"),
                    optional("batch_first", Kind.BOOL, false, "(batch, seq, feature)"),
                    optional("norm_first", Kind.BOOL, false, "norm before attention and feedforward"));
        }
        return Collections.unmodifiableMap(d);
    }

    private static void declare(Map<String, Declaration> d, String type, String doc, Function<Args, LayerSpec> parser, Param... params) {
        d.put(type, new Declaration(type, doc, List.of(params), parser));
    }

    /** The PyTorch class name. */
    String type();

    /** PyTorch's arguments, defaults filled in, in PyTorch's order: the spec as GET /models/{id} shows it. */
    Map<String, Object> arguments();

    /** Parameter and buffer elements the layer allocates when built, saturating instead of overflowing. */
    long elements();

    /** A fresh module; layers that draw take their values from {@code generator}, in construction order. */
    Module build(Generator generator);

    /** The spec of {@code built} as it is now: a lazy layer that ran its first forward says Linear. */
    default LayerSpec settled(Module built) {
        return this;
    }

    default Module build(ModuleFactory factory) {
        return factory.layer(this);
    }

    default Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type());
        out.putAll(arguments());
        return out;
    }

    default NodeSpec settle(Map<LayerSpec, Module> built) {
        Module module = built.get(this);
        return module == null ? this : settled(module);
    }

    record Linear(int inFeatures, int outFeatures, boolean bias) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new Linear(a.integer("in_features"), a.integer("out_features"), a.bool("bias"));
        }

        public String type() {
            return "Linear";
        }

        public Map<String, Object> arguments() {
            return args("in_features", inFeatures, "out_features", outFeatures, "bias", bias);
        }

        public long elements() {
            return Sizes.add(Sizes.multiply(inFeatures, outFeatures), bias ? outFeatures : 0);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Linear(inFeatures, outFeatures, bias, generator);
        }
    }

    /** {@code nn.LazyLinear}: in_features comes from the first forward's input. */
    record LazyLinear(int outFeatures, boolean bias) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new LazyLinear(a.integer("out_features"), a.bool("bias"));
        }

        public String type() {
            return "LazyLinear";
        }

        public Map<String, Object> arguments() {
            return args("out_features", outFeatures, "bias", bias);
        }

        /** At least one input feature: the first forward reserves the rest when it materializes the layer. */
        public long elements() {
            return Sizes.add(outFeatures, bias ? outFeatures : 0);
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Linear.lazy(outFeatures, bias, generator);
        }

        @Override
        public LayerSpec settled(Module built) {
            io.paramlab.nn.Linear linear = (io.paramlab.nn.Linear) built;
            return linear.isLazy() ? this : new Linear(linear.inFeatures(), outFeatures, bias);
        }
    }

    /** Sigmoid, Tanh, Identity: no arguments. */
    record Activation(io.paramlab.nn.Activation nonlinearity) implements LayerSpec {
        public String type() {
            return nonlinearity.typeName();
        }

        public Map<String, Object> arguments() {
            return args();
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return nonlinearity.module();
        }
    }

    record LeakyReLU(double negativeSlope) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new LeakyReLU(a.number("negative_slope"));
        }

        public String type() {
            return "LeakyReLU";
        }

        public Map<String, Object> arguments() {
            return args("negative_slope", negativeSlope);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.leakyRelu(negativeSlope);
        }
    }

    record GELU(String approximate) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new GELU(a.choice("approximate"));
        }

        public String type() {
            return "GELU";
        }

        public Map<String, Object> arguments() {
            return args("approximate", approximate);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.gelu(approximate);
        }
    }

    /** {@code dim} null is PyTorch's {@code nn.Softmax()} default, {@code dim=None}: the implicit dim of each input. */
    record Softmax(Integer dim) implements LayerSpec {
        public String type() {
            return "Softmax";
        }

        public Map<String, Object> arguments() {
            return args("dim", dim);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.softmax(dim);
        }
    }

    record Dropout(double p, boolean inplace) implements LayerSpec {
        public Dropout(double p) {
            this(p, false);
        }

        static LayerSpec parse(Args a) {
            double p = a.number("p");
            if (p < 0 || p > 1) {
                a.error("p", "dropout probability has to be between 0 and 1, but got " + p);
            }
            return new Dropout(p, a.bool("inplace"));
        }

        public String type() {
            return "Dropout";
        }

        public Map<String, Object> arguments() {
            return inplace ? args("p", p, "inplace", true) : args("p", p);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Dropout(p, inplace, generator);
        }
    }

    record Flatten(int startDim, int endDim) implements LayerSpec {
        public String type() {
            return "Flatten";
        }

        public Map<String, Object> arguments() {
            return args("start_dim", startDim, "end_dim", endDim);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.flatten(startDim, endDim);
        }
    }

    record LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new LayerNorm(a.shape("normalized_shape"), a.number("eps"), a.bool("elementwise_affine"));
        }

        public String type() {
            return "LayerNorm";
        }

        public Map<String, Object> arguments() {
            return args("normalized_shape", normalizedShape, "eps", eps, "elementwise_affine", elementwiseAffine);
        }

        public long elements() {
            long numel = 1;
            for (int d : normalizedShape) numel = Sizes.multiply(numel, d);
            return elementwiseAffine ? Sizes.add(numel, numel) : 0;
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.LayerNorm(normalizedShape, eps, elementwiseAffine);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LayerNorm n && Arrays.equals(normalizedShape, n.normalizedShape) && eps == n.eps
                    && elementwiseAffine == n.elementwiseAffine;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(normalizedShape) * 31 + Double.hashCode(eps) + (elementwiseAffine ? 1 : 0);
        }

        @Override
        public String toString() {
            return "LayerNorm[" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", elementwiseAffine=" + elementwiseAffine + "]";
        }
    }

    /** BatchNorm1d and BatchNorm2d; {@code momentum} null is PyTorch's momentum=None (a cumulative average). */
    record BatchNorm(int rank, int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats)
            implements LayerSpec {
        static LayerSpec parse(Args a, int rank) {
            return new BatchNorm(rank, a.integer("num_features"), a.number("eps"), a.nullableNumber("momentum"),
                    a.bool("affine"), a.bool("track_running_stats"));
        }

        public String type() {
            return "BatchNorm" + rank + "d";
        }

        public Map<String, Object> arguments() {
            return args("num_features", numFeatures, "eps", eps, "momentum", momentum, "affine", affine,
                    "track_running_stats", trackRunningStats);
        }

        /** weight and bias, running_mean and running_var, and num_batches_tracked's one element. */
        public long elements() {
            return ((affine ? 2L : 0) + (trackRunningStats ? 2L : 0)) * numFeatures + (trackRunningStats ? 1 : 0);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.BatchNorm(rank, numFeatures, eps, momentum, affine, trackRunningStats);
        }
    }

    /** Conv1d and Conv2d, with their tuple arguments as PyTorch stores them (tuples of rank entries); padding may be a String. */
    record Conv(int rank, int inChannels, int outChannels, IntTuple kernelSize, IntTuple stride, Object padding, IntTuple dilation,
                int groups, boolean bias, String paddingMode) implements LayerSpec {
        static LayerSpec parse(Args a, int rank) {
            int in = a.integer("in_channels");
            int out = a.integer("out_channels");
            IntTuple kernel = a.tuple("kernel_size", rank).asTuple(rank);
            IntTuple stride = a.tuple("stride", rank).asTuple(rank);
            Object padding = a.convPadding("padding", rank);
            if (padding instanceof IntTuple t) {
                padding = t.asTuple(rank);
            }
            IntTuple dilation = a.tuple("dilation", rank).asTuple(rank);
            int groups = a.integer("groups");
            boolean bias = a.bool("bias");
            String mode = a.choice("padding_mode");
            if (in % groups != 0) {
                a.error("in_channels", "in_channels must be divisible by groups");
            }
            if (out % groups != 0) {
                a.error("out_channels", "out_channels must be divisible by groups");
            }
            if ("same".equals(padding) && Arrays.stream(stride.values()).anyMatch(s -> s != 1)) {
                a.error("padding", "padding='same' is not supported for strided convolutions");
            }
            return new Conv(rank, in, out, kernel, stride, padding, dilation, groups, bias, mode);
        }

        public String type() {
            return "Conv" + rank + "d";
        }

        public Map<String, Object> arguments() {
            return args("in_channels", inChannels, "out_channels", outChannels, "kernel_size", kernelSize.json(),
                    "stride", stride.json(), "padding", padding instanceof IntTuple t ? t.json() : padding,
                    "dilation", dilation.json(), "groups", groups, "bias", bias, "padding_mode", paddingMode);
        }

        public long elements() {
            long weight = Sizes.multiply(outChannels, inChannels / Math.max(groups, 1));
            for (int k : kernelSize.values()) weight = Sizes.multiply(weight, k);
            return Sizes.add(weight, bias ? outChannels : 0);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Conv(rank, inChannels, outChannels, kernelSize.values(), stride.values(),
                    padding instanceof IntTuple t ? t.values() : null, padding instanceof String s ? s : null,
                    dilation.values(), groups, bias, paddingMode, generator);
        }
    }

    /** The pooling layers; no parameters. */
    sealed interface Pool extends LayerSpec {
        default long elements() {
            return 0;
        }

        /** MaxPool1d/2d keep their arguments as given (an int stays an int); stride null is kernel_size. */
        static LayerSpec parseMax(Args a, int rank) {
            IntTuple kernel = a.tuple("kernel_size", rank);
            IntTuple stride = a.tuple("stride", rank);
            return new Max(rank, kernel, stride == null ? kernel : stride, a.tuple("padding", rank), a.tuple("dilation", rank),
                    a.bool("ceil_mode"));
        }

        /** AvgPool1d keeps tuples ((2,)), AvgPool2d what it is given. */
        static LayerSpec parseAvg(Args a, int rank) {
            IntTuple kernel = a.tuple("kernel_size", rank);
            IntTuple stride = a.tuple("stride", rank);
            stride = stride == null ? kernel : stride;
            IntTuple padding = a.tuple("padding", rank);
            boolean ceil = a.bool("ceil_mode");
            boolean countIncludePad = a.bool("count_include_pad");
            Integer divisor = rank == 2 ? a.integer("divisor_override") : null;
            if (rank == 1) {
                kernel = kernel.asTuple(1);
                stride = stride.asTuple(1);
                padding = padding.asTuple(1);
            }
            return new Avg(rank, kernel, stride, padding, ceil, countIncludePad, divisor);
        }

        record Max(int rank, IntTuple kernelSize, IntTuple stride, IntTuple padding, IntTuple dilation, boolean ceilMode) implements Pool {
            public String type() {
                return "MaxPool" + rank + "d";
            }

            public Map<String, Object> arguments() {
                return args("kernel_size", kernelSize.json(), "stride", stride.json(), "padding", padding.json(),
                        "dilation", dilation.json(), "ceil_mode", ceilMode);
            }

            public Module build(Generator generator) {
                return io.paramlab.nn.Pool.max(rank, kernelSize, stride, padding, dilation, ceilMode);
            }
        }

        record Avg(int rank, IntTuple kernelSize, IntTuple stride, IntTuple padding, boolean ceilMode, boolean countIncludePad,
                   Integer divisorOverride) implements Pool {
            public String type() {
                return "AvgPool" + rank + "d";
            }

            public Map<String, Object> arguments() {
                Map<String, Object> out = args("kernel_size", kernelSize.json(), "stride", stride.json(), "padding", padding.json(),
                        "ceil_mode", ceilMode, "count_include_pad", countIncludePad);
                if (rank == 2) {
                    out.put("divisor_override", divisorOverride);
                }
                return out;
            }

            public Module build(Generator generator) {
                return io.paramlab.nn.Pool.avg(rank, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
            }
        }

        record Adaptive(int rank, boolean max, IntTuple outputSize) implements Pool {
            public String type() {
                return "Adaptive" + (max ? "Max" : "Avg") + "Pool" + rank + "d";
            }

            public Map<String, Object> arguments() {
                return args("output_size", outputSize.json());
            }

            public Module build(Generator generator) {
                return io.paramlab.nn.Pool.adaptive(rank, max, outputSize);
            }
        }
    }

    record GroupNorm(int numGroups, int numChannels, double eps, boolean affine) implements LayerSpec {
        static LayerSpec parse(Args a) {
            int groups = a.integer("num_groups");
            int channels = a.integer("num_channels");
            if (channels % groups != 0) {
                a.error("num_channels", "num_channels must be divisible by num_groups");
            }
            return new GroupNorm(groups, channels, a.number("eps"), a.bool("affine"));
        }

        public String type() {
            return "GroupNorm";
        }

        public Map<String, Object> arguments() {
            return args("num_groups", numGroups, "num_channels", numChannels, "eps", eps, "affine", affine);
        }

        public long elements() {
            return affine ? 2L * numChannels : 0;
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.GroupNorm(numGroups, numChannels, eps, affine);
        }
    }

    /** ReLU, ReLU6, SiLU, Hardswish, Hardsigmoid, Mish: only {@code inplace}, echoed when true (computed out of place). */
    record Elementwise(String type, boolean inplace) implements LayerSpec {
        public Map<String, Object> arguments() {
            return inplace ? args("inplace", true) : args();
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return switch (type) {
                case "ReLU" -> io.paramlab.nn.Stateless.relu(inplace);
                case "ReLU6" -> io.paramlab.nn.Stateless.relu6(inplace);
                case "SiLU" -> io.paramlab.nn.Stateless.silu(inplace);
                case "Hardswish" -> io.paramlab.nn.Stateless.hardswish();
                case "Hardsigmoid" -> io.paramlab.nn.Stateless.hardsigmoid();
                case "Mish" -> io.paramlab.nn.Stateless.mish();
                default -> throw new IllegalStateException("no elementwise layer " + type);
            };
        }
    }

    /** {@code alpha} an Integer or a Double as JSON gave it: ELU(alpha=1) and ELU(alpha=1.0) print differently. */
    record ELU(Number alpha, boolean inplace) implements LayerSpec {
        public String type() {
            return "ELU";
        }

        public Map<String, Object> arguments() {
            return inplace ? args("alpha", alpha, "inplace", true) : args("alpha", alpha);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.elu(alpha, inplace);
        }
    }

    record Softplus(Number beta, Number threshold) implements LayerSpec {
        public String type() {
            return "Softplus";
        }

        public Map<String, Object> arguments() {
            return args("beta", beta, "threshold", threshold);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.softplus(beta, threshold);
        }
    }

    /** {@code dim} null is PyTorch's {@code dim=None}, as for Softmax. */
    record LogSoftmax(Integer dim) implements LayerSpec {
        public String type() {
            return "LogSoftmax";
        }

        public Map<String, Object> arguments() {
            return args("dim", dim);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return io.paramlab.nn.Stateless.logSoftmax(dim);
        }
    }

    /** {@code nn.Embedding}; padding_idx as given (a negative one counts from the end). */
    record Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) implements LayerSpec {
        static LayerSpec parse(Args a) {
            int num = a.integer("num_embeddings");
            Integer padding = a.integer("padding_idx");
            if (padding != null && (padding >= num || padding < -num)) {
                a.error("padding_idx", padding >= num ? "Padding_idx must be within num_embeddings" : "Padding_idx must be within num_embeddings");
            }
            if (padding != null && padding < 0) {
                padding += num;
            }
            return new Embedding(num, a.integer("embedding_dim"), padding);
        }

        public String type() {
            return "Embedding";
        }

        public Map<String, Object> arguments() {
            return args("num_embeddings", numEmbeddings, "embedding_dim", embeddingDim, "padding_idx", paddingIdx);
        }

        public long elements() {
            return Sizes.multiply(numEmbeddings, embeddingDim);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Embedding(numEmbeddings, embeddingDim, paddingIdx, generator);
        }
    }

    /** RNN (nonlinearity), LSTM (proj_size) and GRU. */
    record Recurrent(String type, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                     boolean bidirectional, String nonlinearity, int projSize) implements LayerSpec {
        static LayerSpec parse(Args a, String type) {
            double dropout = a.number("dropout");
            if (dropout < 0 || dropout > 1) {
                a.error("dropout", "dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
            }
            int hidden = a.integer("hidden_size");
            int proj = type.equals("LSTM") ? a.integer("proj_size") : 0;
            if (proj < 0) {
                a.error("proj_size", "proj_size should be a positive integer or zero to disable projections");
            } else if (proj >= hidden) {
                a.error("proj_size", "proj_size has to be smaller than hidden_size");
            }
            return new Recurrent(type, a.integer("input_size"), hidden, a.integer("num_layers"), a.bool("bias"), a.bool("batch_first"),
                    dropout, a.bool("bidirectional"), type.equals("RNN") ? a.choice("nonlinearity") : null, proj);
        }

        public Map<String, Object> arguments() {
            Map<String, Object> out = args("input_size", inputSize, "hidden_size", hiddenSize, "num_layers", numLayers, "bias", bias,
                    "batch_first", batchFirst, "dropout", dropout, "bidirectional", bidirectional);
            if (nonlinearity != null) out.put("nonlinearity", nonlinearity);
            if (type.equals("LSTM")) out.put("proj_size", projSize);
            return out;
        }

        private io.paramlab.nn.Recurrent.Mode mode() {
            return switch (type) {
                case "LSTM" -> io.paramlab.nn.Recurrent.Mode.LSTM;
                case "GRU" -> io.paramlab.nn.Recurrent.Mode.GRU;
                default -> nonlinearity.equals("relu") ? io.paramlab.nn.Recurrent.Mode.RNN_RELU : io.paramlab.nn.Recurrent.Mode.RNN_TANH;
            };
        }

        public long elements() {
            int gates = mode().gates();
            int real = projSize > 0 ? projSize : hiddenSize;
            int directions = bidirectional ? 2 : 1;
            long sum = 0;
            for (int layer = 0; layer < numLayers; layer++) {
                long in = layer == 0 ? inputSize : (long) real * directions;
                long one = Sizes.add(Sizes.multiply(Sizes.multiply(gates, hiddenSize), in + real), bias ? 2L * gates * hiddenSize : 0);
                one = Sizes.add(one, Sizes.multiply(projSize, hiddenSize));
                sum = Sizes.add(sum, Sizes.multiply(one, directions));
            }
            return sum;
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Recurrent(mode(), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional,
                    projSize, generator);
        }
    }

    /** RNNCell (nonlinearity), LSTMCell, GRUCell. */
    record Cell(String type, int inputSize, int hiddenSize, boolean bias, String nonlinearity) implements LayerSpec {
        static LayerSpec parse(Args a, String type) {
            return new Cell(type, a.integer("input_size"), a.integer("hidden_size"), a.bool("bias"),
                    type.equals("RNNCell") ? a.choice("nonlinearity") : null);
        }

        public Map<String, Object> arguments() {
            Map<String, Object> out = args("input_size", inputSize, "hidden_size", hiddenSize, "bias", bias);
            if (nonlinearity != null) out.put("nonlinearity", nonlinearity);
            return out;
        }

        private io.paramlab.nn.Recurrent.Mode mode() {
            return switch (type) {
                case "LSTMCell" -> io.paramlab.nn.Recurrent.Mode.LSTM;
                case "GRUCell" -> io.paramlab.nn.Recurrent.Mode.GRU;
                default -> nonlinearity.equals("relu") ? io.paramlab.nn.Recurrent.Mode.RNN_RELU : io.paramlab.nn.Recurrent.Mode.RNN_TANH;
            };
        }

        public long elements() {
            long gates = Sizes.multiply(mode().gates(), hiddenSize);
            return Sizes.add(Sizes.multiply(gates, (long) inputSize + hiddenSize), bias ? 2 * gates : 0);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.RecurrentCell(mode(), inputSize, hiddenSize, bias, generator);
        }
    }

    /** {@code nn.MultiheadAttention}; the echo gives kdim and vdim as PyTorch stores them (embed_dim for null). */
    record MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean addBiasKv, boolean addZeroAttn,
                              int kdim, int vdim, boolean batchFirst) implements LayerSpec {
        static LayerSpec parse(Args a) {
            int e = a.integer("embed_dim");
            int heads = a.integer("num_heads");
            if (e % heads != 0) {
                a.error("num_heads", "embed_dim must be divisible by num_heads");
            }
            double dropout = a.number("dropout");
            if (dropout < 0 || dropout > 1) {
                a.error("dropout", "dropout probability has to be between 0 and 1, but got " + dropout);
            }
            Integer kdim = a.integer("kdim");
            Integer vdim = a.integer("vdim");
            return new MultiheadAttention(e, heads, dropout, a.bool("bias"), a.bool("add_bias_kv"), a.bool("add_zero_attn"),
                    kdim == null ? e : kdim, vdim == null ? e : vdim, a.bool("batch_first"));
        }

        public String type() {
            return "MultiheadAttention";
        }

        public Map<String, Object> arguments() {
            return args("embed_dim", embedDim, "num_heads", numHeads, "dropout", dropout, "bias", bias, "add_bias_kv", addBiasKv,
                    "add_zero_attn", addZeroAttn, "kdim", kdim, "vdim", vdim, "batch_first", batchFirst);
        }

        public long elements() {
            long e = embedDim;
            long proj = kdim == embedDim && vdim == embedDim ? Sizes.multiply(3 * e, e) : Sizes.multiply(e, e + kdim + vdim);
            return Sizes.add(Sizes.add(proj, Sizes.multiply(e, e)), (bias ? 4 * e : 0) + (addBiasKv ? 2 * e : 0));
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.MultiheadAttention(embedDim, numHeads, dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst,
                    generator);
        }
    }

    /** TransformerEncoderLayer and TransformerDecoderLayer. */
    record TransformerLayer(String type, int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                            double layerNormEps, boolean batchFirst, boolean normFirst) implements LayerSpec {
        static LayerSpec parse(Args a, String type) {
            int d = a.integer("d_model");
            int heads = a.integer("nhead");
            if (d % heads != 0) {
                a.error("nhead", "embed_dim must be divisible by num_heads");
            }
            double dropout = a.number("dropout");
            if (dropout < 0 || dropout > 1) {
                a.error("dropout", "dropout probability has to be between 0 and 1, but got " + dropout);
            }
            return new TransformerLayer(type, d, heads, a.integer("dim_feedforward"), dropout, a.choice("activation"),
                    a.number("layer_norm_eps"), a.bool("batch_first"), a.bool("norm_first"));
        }

        boolean decoder() {
            return type.equals("TransformerDecoderLayer");
        }

        public Map<String, Object> arguments() {
            return args("d_model", dModel, "nhead", nhead, "dim_feedforward", dimFeedforward, "dropout", dropout,
                    "activation", activation, "layer_norm_eps", layerNormEps, "batch_first", batchFirst, "norm_first", normFirst);
        }

        public long elements() {
            long e = dModel;
            long attention = Sizes.add(Sizes.multiply(4 * e, e), 4 * e);
            long ff = Sizes.add(Sizes.multiply(2 * e, dimFeedforward), e + dimFeedforward);
            int norms = decoder() ? 3 : 2;
            return Sizes.add(Sizes.add(Sizes.multiply(attention, decoder() ? 2 : 1), ff), 2 * e * norms);
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.TransformerLayer(decoder(), dModel, nhead, dimFeedforward, dropout, activation, layerNormEps,
                    batchFirst, normFirst, generator);
        }
    }

    private static Map<String, Object> args(Object... namesAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return out;
    }
}
