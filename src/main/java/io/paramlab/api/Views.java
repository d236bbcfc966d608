package io.paramlab.api;

import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelOperations;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.spec.SpecJson;
import io.paramlab.tensor.Tensor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The answers about a model, each copied under its read lock so it can be rendered outside it. */
final class Views {
    private Views() {
    }

    record ModelInfo(String id, String name, String owner, Instant createdAt, boolean training, long parameterCount,
                     String repr, Map<String, Object> spec, long seed, long version, Instant updatedAt) {
    }

    record ModuleInfo(String path, String type, String repr, List<String> aliases) {
    }

    /**
     * {@code data} and {@code grad} are null when not asked for; {@code grad} is null before any
     * backward; {@code shape} is null for a lazy layer's parameter before its first forward.
     */
    record ParameterInfo(String name, int[] shape, boolean requiresGrad, List<String> aliases, TensorData data, TensorData grad) {
    }

    static ModelInfo info(LiveModel model) {
        return model.read(() -> new ModelInfo(model.id(), model.name(), model.owner(), model.createdAt(), model.root().isTraining(),
                model.parameterCount(), model.root().repr(), SpecJson.of(model.spec()), model.generator().initialSeed(),
                model.version(), model.updatedAt()));
    }

    static List<ModuleInfo> modules(LiveModel model) {
        return model.read(() -> {
            Map<Module, List<String>> paths = new IdentityHashMap<>();
            model.root().allModulePaths().forEach((path, m) -> paths.computeIfAbsent(m, k -> new ArrayList<>()).add(path));
            List<ModuleInfo> out = new ArrayList<>();
            model.root().namedModules().forEach((path, module) -> {
                List<String> aliases = new ArrayList<>(paths.get(module));
                aliases.remove(path);
                out.add(new ModuleInfo(path, module.typeName(), module.repr(), aliases));
            });
            return out;
        });
    }

    /** {@code module(P).named_parameters()}, each tied parameter once with its other names as aliases. */
    static List<ParameterInfo> parameters(LiveModel model, String modulePath, boolean withData, boolean withGrad) {
        return model.read(() -> {
            Module module = ModelOperations.module(model, modulePath);
            Map<Tensor, List<String>> names = namesByParameter(module);
            List<ParameterInfo> out = new ArrayList<>();
            module.namedParameters().forEach((name, p) -> out.add(describe(name, p, names.get(p), withData, withGrad)));
            return out;
        });
    }

    /** One parameter by any of its names, with data and grad. */
    static ParameterInfo parameter(LiveModel model, String name) {
        return model.read(() -> {
            Tensor p = ModelOperations.parameter(model, name);
            return describe(name, p, namesByParameter(model.root()).get(p), true, true);
        });
    }

    /** A value read under the lock with the model's version at that moment. */
    record Versioned<T>(long version, T value) {
    }

    /**
     * {@code module(P).state_dict()}, copied, with the version it is of. The copy is charged to the
     * budget in flight before it is made (413 past it), and held there until the answer is written.
     */
    static Versioned<Map<String, TensorData>> stateDict(LiveModel model, String modulePath) {
        return model.read(() -> {
            Map<String, TensorData> live = ModelOperations.module(model, modulePath).stateDict();
            long elements = 0;
            for (TensorData value : live.values()) elements += value.numel();
            holdUntilAnswered(io.paramlab.tensor.Allocation.hold(elements));
            Map<String, TensorData> out = new LinkedHashMap<>();
            live.forEach((key, value) -> out.put(key, value.copy()));
            return new Versioned<>(model.version(), out);
        });
    }

    /** Keeps {@code held} until the request has been answered (its body written); outside a request, gives it back now. */
    private static void holdUntilAnswered(io.paramlab.tensor.Allocation.Scope held) {
        org.springframework.web.context.request.RequestAttributes request =
                org.springframework.web.context.request.RequestContextHolder.getRequestAttributes();
        if (request == null) {
            held.close();
            return;
        }
        request.registerDestructionCallback("paramlab.held." + System.identityHashCode(held), held::close,
                org.springframework.web.context.request.RequestAttributes.SCOPE_REQUEST);
    }

    private static Map<Tensor, List<String>> namesByParameter(Module module) {
        Map<Tensor, List<String>> names = new IdentityHashMap<>();
        module.allParameterNames().forEach((name, p) -> names.computeIfAbsent(p, k -> new ArrayList<>()).add(name));
        return names;
    }

    private static ParameterInfo describe(String name, Tensor p, List<String> allNames, boolean withData, boolean withGrad) {
        List<String> aliases = new ArrayList<>(allNames);
        aliases.remove(name);
        TensorData data = withData ? TensorData.of(p).copy() : null;
        TensorData grad = withGrad && p.grad() != null ? TensorData.ofFloats(p.grad().clone(), p.shape()) : null;
        return new ParameterInfo(name, p.shape(), p.requiresGrad(), aliases, data, grad);
    }
}
