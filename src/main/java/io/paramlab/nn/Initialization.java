package io.paramlab.nn;

import io.paramlab.init.InitException;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;
import io.paramlab.tensor.UninitializedParameterException;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Init rules applied in order, each as {@code net[module].apply(fn)} walks (children first, a module
 * under two parents visited under each). It lives beside {@link Module#apply} rather than in
 * {@code init}, which sits below {@code nn}: the layers draw their own defaults through its policies.
 */
public final class Initialization {
    private Initialization() {
    }

    /** One application: the parameter's first name, its shape, the policy's type. */
    public record Applied(String name, int[] shape, String policy) {
    }

    /** A policy that cannot apply, with the request field and the parameter's name in its message. */
    public static final class Failure extends RuntimeException {
        private final String field;

        Failure(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Applies every rule; module paths must exist (the caller checks them first). The caller's transaction undoes a failure. */
    public static List<Applied> apply(Module root, List<InitRule> rules, Generator generator) {
        Map<Module, String> firstPath = new IdentityHashMap<>();
        root.namedModules().forEach((path, m) -> firstPath.put(m, path));
        List<Applied> done = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            InitRule rule = rules.get(i);
            String field = "rules[" + i + "].params";
            root.submodule(rule.module()).apply(m -> {
                if (rule.layerTypes() != null && !rule.layerTypes().contains(m.typeName())) {
                    return;
                }
                rule.params().forEach((local, policy) -> {
                    Tensor p = m.localParameters().get(local);
                    if (p != null) {
                        String name = Module.qualify(firstPath.get(m), local);
                        initialize(m, local, p, policy, name, field + "." + local, generator);
                        done.add(new Applied(name, p.shape(), policy.type()));
                    }
                });
            });
        }
        return done;
    }

    private static void initialize(Module module, String local, Tensor p, InitPolicy policy, String name, String field,
                                   Generator generator) {
        try {
            if (!p.isInitialized()) {
                throw new UninitializedParameterException("init");
            }
            if (policy instanceof InitPolicy.Default) {
                module.resetParameter(local, generator);
            } else {
                Initializer.apply(policy, p.data(), p.shape(), generator);
            }
        } catch (InitException | UninitializedParameterException e) {
            throw new Failure(field, name + ": " + e.getMessage());
        }
    }
}
