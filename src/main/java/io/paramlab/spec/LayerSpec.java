package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A layer of a model spec. Each layer type is declared here once: its record says how it parses
 * ({@code parse}), what it allocates ({@link #elements}), how it builds and how it writes back
 * ({@link #arguments}), and {@link #TYPES} lists its parser under its PyTorch name. Adding a type
 * means one record here, its module in {@code nn} and its op in {@code tensor}.
 */
public sealed interface LayerSpec extends NodeSpec {

    /** Every layer type by its PyTorch name (Sequential is structural, see {@link NodeSpec}). */
    Map<String, Function<Args, LayerSpec>> TYPES = types();

    private static Map<String, Function<Args, LayerSpec>> types() {
        Map<String, Function<Args, LayerSpec>> types = new LinkedHashMap<>();
        types.put("Linear", Linear::parse);
        types.put("LazyLinear", LazyLinear::parse);
        for (io.paramlab.nn.Activation n : io.paramlab.nn.Activation.values()) {
            types.put(n.typeName(), args -> new Activation(n));
        }
        types.put("LeakyReLU", LeakyReLU::parse);
        types.put("GELU", GELU::parse);
        types.put("Softmax", Softmax::parse);
        types.put("Dropout", Dropout::parse);
        types.put("Flatten", Flatten::parse);
        types.put("LayerNorm", LayerNorm::parse);
        types.put("BatchNorm1d", BatchNorm1d::parse);
        return java.util.Collections.unmodifiableMap(types);
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

    record Linear(int inFeatures, int outFeatures, boolean bias) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new Linear(a.requiredInt("in_features", 1), a.requiredInt("out_features", 1), a.bool("bias", true));
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
            return new LazyLinear(a.requiredInt("out_features", 1), a.bool("bias", true));
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

    /** ReLU, Sigmoid, Tanh, Identity: no arguments. */
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
            return new LeakyReLU(a.number("negative_slope", 0.01));
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
            return new GELU(a.oneOf("approximate", "none", List.of("none", "tanh")));
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
        static LayerSpec parse(Args a) {
            return new Softmax(a.nullableInt("dim", null));
        }

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

    record Dropout(double p) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new Dropout(a.number("p", 0.5, 0, 1, "dropout probability has to be between 0 and 1, but got "));
        }

        public String type() {
            return "Dropout";
        }

        public Map<String, Object> arguments() {
            return args("p", p);
        }

        public long elements() {
            return 0;
        }

        public Module build(Generator generator) {
            return new io.paramlab.nn.Dropout(p, generator);
        }
    }

    record Flatten(int startDim, int endDim) implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new Flatten(a.optionalInt("start_dim", 1), a.optionalInt("end_dim", -1));
        }

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
            return new LayerNorm(a.shape("normalized_shape"), a.number("eps", 1e-5), a.bool("elementwise_affine", true));
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

    /** {@code momentum} null is PyTorch's momentum=None (a cumulative average). */
    record BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats)
            implements LayerSpec {
        static LayerSpec parse(Args a) {
            return new BatchNorm1d(a.requiredInt("num_features", 1), a.number("eps", 1e-5), a.nullableNumber("momentum", 0.1),
                    a.bool("affine", true), a.bool("track_running_stats", true));
        }

        public String type() {
            return "BatchNorm1d";
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
            return new io.paramlab.nn.BatchNorm1d(numFeatures, eps, momentum, affine, trackRunningStats);
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
