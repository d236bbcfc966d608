package io.paramlab.nn;

import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The answer of {@code GET /models/{id}/stats}: statistics of every parameter in
 * {@code named_parameters} order (a tied one once) and of every buffer in {@code named_buffers}
 * order, of the module the caller passes (names relative to it, as {@code net[P].named_parameters()}).
 * The caller holds the model's read lock: the arrays are read live.
 */
public record ModelStats(List<ParameterStats> parameters, List<BufferStats> buffers) {

    /** One parameter: {@code grad} null when the parameter has no gradient, {@code updateRatio} null when unknown. */
    public record ParameterStats(String name, int[] shape, int numel, TensorStats data, TensorStats grad,
                                 Double updateRatio) {
        /**
         * {@code updateRatio} is the ratio of the last optimizer step ({@link TensorStats#updateRatio}),
         * or null before any step.
         */
        public static ParameterStats of(String name, Tensor parameter, int bins, Double updateRatio) {
            float[] grad = parameter.grad();
            return new ParameterStats(name, parameter.shape(), parameter.numel(),
                    TensorStats.of(parameter.data(), bins), grad == null ? null : TensorStats.of(grad, bins),
                    updateRatio);
        }
    }

    public record BufferStats(String name, int[] shape, int numel, TensorStats data) {
        public static BufferStats of(String name, TensorData buffer, int bins) {
            return new BufferStats(name, buffer.shape(), buffer.numel(), TensorStats.of(buffer, bins));
        }
    }

    /** Without update ratios (no optimizer has stepped). */
    public static ModelStats of(Module module, int bins) {
        return of(module, bins, parameter -> null);
    }

    /** {@code updateRatios} gives a parameter's ratio of the last step, or null; it is keyed by identity, not name. */
    public static ModelStats of(Module module, int bins, Function<Tensor, Double> updateRatios) {
        TensorStats.checkBins(bins);   // before any work, so a bad request costs nothing
        List<ParameterStats> parameters = new ArrayList<>();
        module.namedParameters().forEach((name, p) -> parameters.add(ParameterStats.of(name, p, bins, updateRatios.apply(p))));
        List<BufferStats> buffers = new ArrayList<>();
        module.namedBuffers().forEach((name, b) -> buffers.add(BufferStats.of(name, b, bins)));
        return new ModelStats(List.copyOf(parameters), List.copyOf(buffers));
    }
}
