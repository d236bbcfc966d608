package io.paramlab.nn.fx;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph as {@code torch.fx.Interpreter} does: {@link #runNode} is a small dispatch on
 * {@code op}; a value is dropped after its last use, so a long graph holds only what is still to
 * be read (what a backward needs is kept by the autograd graph, not here).
 */
final class Interpreter implements Arg.Frame, Ops.Call {
    private final GraphModule module;
    private final Map<String, Object> env = new HashMap<>();

    private Interpreter(GraphModule module) {
        this.module = module;
    }

    static Object run(GraphModule module, List<Object> args, Map<String, Object> kwargs) {
        return new Interpreter(module).run(args, kwargs);
    }

    private Object run(List<Object> args, Map<String, Object> kwargs) {
        bindPlaceholders(args, kwargs);
        List<Node> nodes = module.graph().nodes();
        List<List<String>> lastUses = module.lastUses();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node.op() == Node.Op.PLACEHOLDER) {
                continue;
            }
            Deadline.check();   // a safe point between nodes
            if (node.op() == Node.Op.OUTPUT) {
                return node.args().get(0).value(this);
            }
            Object value = runNode(node);
            lastUses.get(i).forEach(env::remove);
            env.put(node.name(), value);
        }
        throw new IllegalStateException("a validated graph ends in an output");
    }

    private Object runNode(Node node) {
        List<Object> args = new ArrayList<>(node.args().size());
        node.args().forEach(a -> args.add(a.value(this)));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        node.kwargs().forEach((k, a) -> kwargs.put(k, a.value(this)));
        try {
            return switch (node.op()) {
                case CALL_MODULE -> module.submodule(node.target()).forward(args, kwargs);
                case CALL_FUNCTION -> Ops.FUNCTIONS.get(node.target()).call(args, kwargs, this);
                case CALL_METHOD -> Ops.METHODS.get(node.target()).call(args, kwargs, this);
                case GET_ATTR -> attribute(node.target());
                case PLACEHOLDER, OUTPUT -> throw new IllegalStateException(node.op() + " is not run");
            };
        } catch (ShapeException e) {
            throw e.inNode(node.name());   // the problem names the node; the message stays PyTorch's
        }
    }

    /** A parameter as itself (it takes part in autograd); a buffer as a tensor over its values. */
    private Object attribute(String path) {
        Object value = Graph.attribute(module, path);
        if (value instanceof TensorData buffer) {
            return buffer.toTensor();
        }
        return value;
    }

    /** Python's binding of a call to {@code forward(self, ...)}: positionals in order, then keywords by parameter name, then defaults. */
    private void bindPlaceholders(List<Object> args, Map<String, Object> kwargs) {
        List<Node> placeholders = module.graph().placeholders();
        String problem = module.signature().check(args.size(), kwargs.keySet());
        if (problem != null) {
            throw new ShapeException(problem);
        }
        Map<String, Object> remaining = new HashMap<>(kwargs);
        for (int i = 0; i < placeholders.size(); i++) {
            Node p = placeholders.get(i);
            if (i < args.size()) {
                env.put(p.name(), args.get(i));
            } else if (remaining.containsKey(p.target())) {
                env.put(p.name(), remaining.remove(p.target()));
            } else {
                env.put(p.name(), p.defaultValue().value(this));
            }
        }
    }

    @Override
    public Object node(String name) {
        return env.get(name);
    }

    @Override
    public boolean training() {
        return module.isTraining();
    }

    @Override
    public io.paramlab.tensor.Generator generator() {
        return module.generator();
    }
}
