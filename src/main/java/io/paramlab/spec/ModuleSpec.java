package io.paramlab.spec;

import io.paramlab.init.InitException;
import io.paramlab.init.InitPolicy;
import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.nn.fx.Graph;
import io.paramlab.nn.fx.GraphModule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code Module} node: a module of any class, with {@code class_name}, {@code extra_repr},
 * {@code version}, its own {@code parameters} and {@code buffers}, its children ({@code modules})
 * and optionally its forward as a {@code graph}. {@code path} is where it stood in the request,
 * to name a graph's node at fault when the graph is checked against the built modules.
 */
public record ModuleSpec(String className, String extraRepr, int version, List<TensorSpec> parameters,
                         List<TensorSpec> buffers, List<Child> children, Graph graph, String path) implements NodeSpec {

    static NodeSpec parse(SpecParser.Context context) {
        JsonFields fields = context.fields();
        fields.rejectUnknown("Module", List.of("type", "name", "class_name", "extra_repr", "version", "parameters", "buffers",
                "modules", "graph"));
        String className = context.className("Module");
        String extraRepr = fields.optionalString("extra_repr", "", List.of());
        int version = context.version();
        List<TensorSpec> parameters = TensorSpec.parseAll(fields, "parameters", false, context.errors());
        List<TensorSpec> buffers = TensorSpec.parseAll(fields, "buffers", true, context.errors());
        List<Child> children = context.children("modules", true);
        List<String> own = new ArrayList<>();
        parameters.forEach(p -> own.add(p.name()));
        buffers.forEach(b -> own.add(b.name()));
        context.claimNames(own, children, "parameters");
        Graph graph = context.json().has("graph") && !context.json().get("graph").isNull()
                ? GraphParser.parse(fields, context.json().get("graph"), context.maxGraphNodes(), context.errors()) : null;
        return new ModuleSpec(className, extraRepr, version, parameters, buffers, children, graph, context.path());
    }

    /** Own parameters, then buffers, then children, each in list order; then the graph is checked against what was built. */
    public Module build(ModuleFactory factory) {
        GraphModule module = new GraphModule(className, extraRepr, version, graph, factory.generator());
        // a policy that does not fit its tensor (kaiming or orthogonal on one dimension) is the request's fault, a 400
        // naming the field, where it was a 500; the tensor is kept (zeros) so the rest is checked as usual
        for (int i = 0; i < parameters.size(); i++) {
            TensorSpec p = parameters.get(i);
            try {
                module.addParameter(p.name(), p.shape(), p.init());
            } catch (InitException e) {
                factory.error(new FieldError(JsonFields.join(path, "parameters[" + i + "].init"), p.name() + ": " + e.getMessage()));
                module.addParameter(p.name(), p.shape(), new InitPolicy.Zeros());
            }
        }
        for (int i = 0; i < buffers.size(); i++) {
            TensorSpec b = buffers.get(i);
            TensorData values;
            try {
                values = b.fresh(factory.generator());
            } catch (InitException e) {
                factory.error(new FieldError(JsonFields.join(path, "buffers[" + i + "].init"), b.name() + ": " + e.getMessage()));
                values = TensorData.ofFloats(new float[(int) b.elements()], b.shape());   // the dtype does not matter: the request is refused
            }
            module.addBuffer(b.name(), values, b.persistent());
        }
        children.forEach(child -> module.addChild(child.name(), child.node().build(factory)));
        if (graph != null) {
            graph.validate(module).forEach(problem -> factory.error(new FieldError(
                    JsonFields.join(path, "graph[" + problem.node() + "]" + (problem.node() < graph.nodes().size() ? "." + problem.field() : "")),
                    problem.message())));
        }
        return module;
    }

    @Override
    public long ownElements() {
        long sum = 0;
        for (TensorSpec p : parameters) sum = Sizes.add(sum, p.elements());
        for (TensorSpec b : buffers) sum = Sizes.add(sum, b.elements());
        return sum;
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "Module");
        out.put("class_name", className);
        out.put("extra_repr", extraRepr);
        out.put("version", version);
        List<Object> ps = new ArrayList<>();
        parameters.forEach(p -> ps.add(p.json(false)));
        out.put("parameters", ps);
        List<Object> bs = new ArrayList<>();
        buffers.forEach(b -> bs.add(b.json(true)));
        out.put("buffers", bs);
        out.put("modules", NodeSpec.json(children));
        out.put("graph", graph == null ? null : graph.json());
        return out;
    }

    public NodeSpec settle(Map<LayerSpec, Module> built) {
        return new ModuleSpec(className, extraRepr, version, parameters, buffers, NodeSpec.settle(children, built), graph, path);
    }
}
