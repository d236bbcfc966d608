package io.paramlab.spec;

import io.paramlab.nn.Container;
import io.paramlab.nn.Module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nn.ModuleList}: {@code modules}, names defaulting to indexes; no forward of its own. */
public record ModuleListSpec(String className, int version, List<Child> children) implements NodeSpec {

    static NodeSpec parse(SpecParser.Context context) {
        context.fields().rejectUnknown("ModuleList", List.of("type", "name", "class_name", "version", "modules"));
        return new ModuleListSpec(context.className("ModuleList"), context.version(), context.children("modules", false));
    }

    public Module build(ModuleFactory factory) {
        Container list = new Container(className, version);
        children.forEach(child -> list.add(child.name(), child.node().build(factory)));
        return list;
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "ModuleList");
        out.put("class_name", className);
        out.put("version", version);
        out.put("modules", NodeSpec.json(children));
        return out;
    }

    public NodeSpec settle(Map<LayerSpec, Module> built) {
        return new ModuleListSpec(className, version, NodeSpec.settle(children, built));
    }
}
