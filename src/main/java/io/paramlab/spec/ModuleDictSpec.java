package io.paramlab.spec;

import io.paramlab.nn.Container;
import io.paramlab.nn.Module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nn.ModuleDict}: {@code modules}, each named; no forward of its own. */
public record ModuleDictSpec(String className, int version, List<Child> children) implements NodeSpec {

    static NodeSpec parse(SpecParser.Context context) {
        context.fields().rejectUnknown("ModuleDict", List.of("type", "name", "class_name", "version", "modules"));
        return new ModuleDictSpec(context.className("ModuleDict"), context.version(), context.children("modules", true));
    }

    public Module build(ModuleFactory factory) {
        Container dict = new Container(className, version);
        children.forEach(child -> dict.add(child.name(), child.node().build(factory)));
        return dict;
    }

    public Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", "ModuleDict");
        out.put("class_name", className);
        out.put("version", version);
        out.put("modules", NodeSpec.json(children));
        return out;
    }

    public NodeSpec settle(Map<LayerSpec, Module> built) {
        return new ModuleDictSpec(className, version, NodeSpec.settle(children, built));
    }
}
