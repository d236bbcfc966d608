package io.paramlab.model;

import io.paramlab.nn.TensorData;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Snapshots of a live model, copied under its lock so they can be rendered outside it. */
public final class Views {
    private Views() {
    }

    public record ModelInfo(String id, String name, Instant createdAt, boolean training, long parameterCount,
                            String repr, Map<String, Object> spec, long seed) {
    }

    public record ModuleInfo(String path, String type, String repr, List<String> aliases) {
    }

    /** {@code data} and {@code grad} are null when not asked for; {@code grad} is null before any backward. */
    public record ParameterInfo(String name, int[] shape, boolean requiresGrad, List<String> aliases,
                                TensorData data, TensorData grad) {
    }

    /** One parameter an init request initialized: its first name, its shape, the policy's type. */
    public record Initialized(String name, int[] shape, String policy) {
    }

    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    public record BackwardResult(float loss, TensorData output) {
    }

    /** A parameter write: {@code index} with {@code value}, or {@code data}, and/or {@code requiresGrad}. */
    public record ParameterPatch(int[] index, Float value, TensorData data, Boolean requiresGrad) {
    }
}
