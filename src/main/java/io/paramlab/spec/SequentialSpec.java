package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.nn.Sequential;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nn.Sequential} (or a subclass of it, by {@code class_name}): {@code layers}, names defaulting to indexes. */
public record SequentialSpec(String className, int version, List<Child> children) implements NodeSpec {

    static NodeSpec parse(SpecParser.Context context) {
        JsonFields fields = context.fields();
        fields.rejectUnknown("Sequential", List.of("type", "name", "class_name", "version", "layers"));
        return new SequentialSpec(context.className("Sequential"), context.version(), context.children("layers", false));
    }

    public Module build(ModuleFactory factory) {
        Sequential sequential = new Sequential(className, version);
        for (Child child : children) {
            sequential.add(child.name(), child.node().build(factory));
        }
        return sequential;
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "Sequential");
        out.put("class_name", className);
        out.put("version", version);
        out.put("layers", NodeSpec.json(children));
        return out;
    }

    public NodeSpec settle(Map<LayerSpec, Module> built) {
        return new SequentialSpec(className, version, NodeSpec.settle(children, built));
    }
}
