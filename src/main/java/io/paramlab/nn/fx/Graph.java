package io.paramlab.nn.fx;

import io.paramlab.nn.Container;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A forward as {@code torch.fx.Graph} holds it: nodes in an order where every argument is
 * defined before its use, ending in one {@code output}. {@link #validate} checks every rule of
 * the contract against the module that holds it; {@link Interpreter} runs it.
 */
public record Graph(List<Node> nodes) {

    /** A rule a node breaks: the node's index, the field at fault ({@code target}, {@code args[1]}, ...), and why. */
    public record Problem(int node, String field, String message) {
    }

    public Graph {
        nodes = List.copyOf(nodes);
    }

    /** The placeholders' parameter names, in order: the forward's signature. */
    public List<Node> placeholders() {
        return nodes.stream().filter(n -> n.op() == Node.Op.PLACEHOLDER).toList();
    }

    /** The JSON form of the spec echo. */
    public List<Object> json() {
        List<Object> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.json()));
        return out;
    }

    /**
     * Every broken rule: names defined twice or used before definition, unknown targets, a
     * call_module target that is not a module under {@code owner} (or is {@code owner} itself:
     * the tree has no cycles, so no module under it is one of its ancestors), a get_attr target
     * that is not a parameter or buffer, arguments that do not fit the target's signature, and
     * an output that is missing, repeated or not last.
     */
    public List<Problem> validate(Module owner) {
        List<Problem> problems = new ArrayList<>();
        Set<String> defined = new HashSet<>();
        Set<String> targets = new HashSet<>();
        int outputs = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            int index = i;
            for (int a = 0; a < node.args().size(); a++) {
                String field = "args[" + a + "]";
                node.args().get(a).forEachNode(name -> {
                    if (!defined.contains(name)) problems.add(new Problem(index, field, undefined(name)));
                });
            }
            node.kwargs().forEach((key, arg) -> arg.forEachNode(name -> {
                if (!defined.contains(name)) problems.add(new Problem(index, "kwargs." + key, undefined(name)));
            }));
            if (node.defaultValue() != null) {
                node.defaultValue().forEachNode(name -> problems.add(new Problem(index, "default",
                        "a placeholder's default is a constant, not node \"" + name + "\"")));
            }
            if (!defined.add(node.name())) {
                problems.add(new Problem(i, "name", "node \"" + node.name() + "\" is defined twice"));
            }
            if (outputs > 0) {
                problems.add(new Problem(i, "op", "a node after the output is never run"));
            }
            if (node.op() == Node.Op.OUTPUT) {
                outputs++;
            }
            Problem problem = switch (node.op()) {
                case PLACEHOLDER -> targets.add(node.target()) ? null
                        : new Problem(i, "target", "duplicate argument '" + node.target() + "' in function definition");
                case OUTPUT -> node.args().size() == 1 && node.kwargs().isEmpty() ? null : new Problem(i, "args",
                        "an output takes one argument (a node or a list of them), got " + node.args().size());
                case CALL_MODULE -> callModule(owner, node, i);
                case CALL_FUNCTION -> call(Ops.FUNCTIONS, node, "function", i);
                case CALL_METHOD -> call(Ops.METHODS, node, "method", i);
                case GET_ATTR -> attribute(owner, node.target()) != null ? null
                        : new Problem(i, "target", "\"" + node.target() + "\" is not a parameter or buffer under this module");
            };
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (outputs == 0) {
            problems.add(new Problem(nodes.size(), "op", "the graph has no output node"));
        }
        return problems;
    }

    private static String undefined(String name) {
        return "node \"" + name + "\" is used before it is defined (or never is)";
    }

    private static Problem callModule(Module owner, Node node, int i) {
        if (node.target().isEmpty()) {
            return new Problem(i, "target", "a graph may not call the module that holds it");
        }
        Module called = owner.submodule(node.target());
        if (called == null) {
            return new Problem(i, "target", "\"" + node.target() + "\" is not a module under this one");
        }
        if (called == owner) {
            return new Problem(i, "target", "a graph may not call the module that holds it");
        }
        if (called instanceof Container || called instanceof GraphModule g && g.graph() == null) {
            return new Problem(i, "target", Container.missingForward(called.typeName()).getMessage());
        }
        if (called instanceof GraphModule g) {
            return arguments(g.signature(), node, i);
        }
        return null;   // a layer checks its own arguments when called
    }

    private static Problem call(Map<String, Ops.Op> table, Node node, String kind, int i) {
        Ops.Op op = table.get(node.target());
        if (op == null) {
            return new Problem(i, "target", "unknown " + kind + " \"" + node.target() + "\"; known: " + String.join(", ", table.keySet()));
        }
        return arguments(op.signature(), node, i);
    }

    private static Problem arguments(Signature signature, Node node, int i) {
        String message = signature.check(node.args().size(), node.kwargs().keySet());
        return message == null ? null : new Problem(i, "args", message);
    }

    /** The parameter (a Tensor) or buffer (TensorData) at a dotted path under {@code owner}, or null. */
    static Object attribute(Module owner, String path) {
        int dot = path.lastIndexOf('.');
        Module module = dot < 0 ? owner : owner.submodule(path.substring(0, dot));
        if (module == null) {
            return null;
        }
        String local = path.substring(dot + 1);
        Object parameter = module.localParameters().get(local);
        if (parameter != null) {
            return parameter;
        }
        TensorData buffer = module.localBuffers().get(local);
        return buffer;
    }

    /** For each node, the names whose last use it is: the interpreter frees them after it. */
    List<List<String>> lastUses() {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            int index = i;
            Node node = nodes.get(i);
            node.args().forEach(a -> a.forEachNode(name -> last.put(name, index)));
            node.kwargs().values().forEach(a -> a.forEachNode(name -> last.put(name, index)));
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) out.add(new ArrayList<>());
        last.forEach((name, index) -> out.get(index).add(name));
        return out;
    }
}
