package io.paramlab.nn.fx;

import io.paramlab.init.InitPolicy;
import io.paramlab.nn.Container;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A module of any class, as a {@code Module} node of the spec describes it: {@code class_name}
 * for its repr, its own parameters and buffers, its children and, optionally, its forward as a
 * {@link Graph}. Without a graph it has no forward of its own (torchvision's BasicBlock under a
 * traced root is there for its name, repr and place in the state dict).
 */
public final class GraphModule extends Module {
    /** Functions that draw from the generator in training mode. */
    private static final Set<String> RANDOM = Set.of("torch.nn.functional.dropout", "torchvision.ops.stochastic_depth");

    private final String className;
    private final String extraRepr;
    private final int version;
    private final Graph graph;
    private final Generator generator;
    private final Map<String, InitPolicy> policies = new HashMap<>();
    private Signature signature;
    private List<List<String>> lastUses;

    public GraphModule(String className, String extraRepr, int version, Graph graph, Generator generator) {
        this.className = className;
        this.extraRepr = extraRepr;
        this.version = version;
        this.graph = graph;
        this.generator = generator;
    }

    /** Registers an own parameter drawn by {@code policy} now, from the model's generator, as the spec declares it. */
    public void addParameter(String name, int[] shape, InitPolicy policy) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        float[] data = new float[n];
        policy.fill(data, shape, generator);
        policies.put(name, policy);
        registerParameter(name, Tensor.parameter(data, shape));
    }

    public void addBuffer(String name, TensorData buffer, boolean persistent) {
        registerBuffer(name, buffer, persistent);
    }

    public void addChild(String name, Module child) {
        addModule(name, child);
    }

    /** The graph, or null for a module without a forward of its own. */
    public Graph graph() {
        return graph;
    }

    Generator generator() {
        return generator;
    }

    /** {@code forward(self, <placeholders>)}: what the validator and the binding check calls against. */
    Signature signature() {
        if (signature == null) {
            StringBuilder text = new StringBuilder();
            for (Node p : graph.placeholders()) {
                text.append(text.isEmpty() ? "" : ", ").append(p.target()).append(p.defaultValue() != null ? "=None" : "");
            }
            signature = Signature.parse("forward", text.toString());
        }
        return signature;
    }

    List<List<String>> lastUses() {
        if (lastUses == null) {
            lastUses = graph.lastUses();
        }
        return lastUses;
    }

    @Override
    protected boolean readsParametersByName() {
        return true;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    protected String extraRepr() {
        return extraRepr;
    }

    @Override
    protected int stateDictVersion() {
        return version;
    }

    @Override
    protected boolean forwardWritesInTraining() {
        return graph != null && graph.nodes().stream()
                .anyMatch(n -> n.op() == Node.Op.CALL_FUNCTION && RANDOM.contains(n.target()));
    }

    /** An own parameter's {@code init} policy again (what "default" means for it). */
    @Override
    public void resetParameter(String name, Generator generator) {
        InitPolicy policy = policies.get(name);
        if (policy == null) {
            super.resetParameter(name, generator);
        }
        Tensor p = localParameters().get(name);
        policy.fill(p.data(), p.shape(), generator);
    }

    @Override
    public Tensor forward(Tensor input) {
        List<Object> args = new ArrayList<>(1);
        args.add(input);
        Object out = forward(args, Map.of());
        if (out instanceof Tensor t) {
            return t;
        }
        throw new ShapeException(className + ".forward() returned " + describe(out) + ", not a tensor");
    }

    @Override
    public Object forward(List<Object> args, Map<String, Object> kwargs) {
        if (graph == null) {
            throw Container.missingForward(className);
        }
        return Interpreter.run(this, args, kwargs);
    }
}
