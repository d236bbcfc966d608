package io.paramlab.nn;

import io.paramlab.init.InitException;
import io.paramlab.init.InitPolicy;
import io.paramlab.init.Initializer;
import io.paramlab.tensor.Deadline;
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
        walk(root, rules, (ruleIndex, m, local, p, policy) -> {
            Deadline.check();   // a safe point: between two parameters, none is half drawn
            String name = Module.qualify(firstPath.get(m), local);
            initialize(m, local, p, policy, name, "rules[" + ruleIndex + "].params." + local, generator);
            done.add(new Applied(name, p.shape(), policy.type()));
        });
        return done;
    }

    /**
     * The work {@link #apply} would do, drawing nothing: per application, the parameter's elements
     * times its policy's cost per element, summed (saturating). An uninitialized parameter costs
     * nothing here; apply refuses it.
     */
    public static long plannedWork(Module root, List<InitRule> rules) {
        long[] work = {0};
        walk(root, rules, (ruleIndex, m, local, p, policy) -> {
            long elements = p.isInitialized() ? p.numel() : 0;
            long cost = policy.costPerElement(p.isInitialized() ? p.shape() : new int[0]);
            long product = elements != 0 && cost > Long.MAX_VALUE / elements ? Long.MAX_VALUE : elements * cost;
            work[0] = Long.MAX_VALUE - work[0] < product ? Long.MAX_VALUE : work[0] + product;
        });
        return work[0];
    }

    private interface Visit {
        void parameter(int ruleIndex, Module module, String local, Tensor p, InitPolicy policy);
    }

    /** Rules in order, each {@code net[module].apply(fn)}: children first, a module under two parents under each. */
    private static void walk(Module root, List<InitRule> rules, Visit visit) {
        for (int i = 0; i < rules.size(); i++) {
            InitRule rule = rules.get(i);
            int ruleIndex = i;
            root.submodule(rule.module()).apply(m -> {
                if (rule.layerTypes() != null && !rule.layerTypes().contains(m.typeName())) {
                    return;
                }
                rule.params().forEach((local, policy) -> {
                    Tensor p = m.localParameters().get(local);
                    if (p != null) {
                        visit.parameter(ruleIndex, m, local, p, policy);
                    }
                });
            });
        }
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
