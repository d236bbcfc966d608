package io.paramlab.spec;

import io.paramlab.nn.Module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of a model spec: a layer ({@link LayerSpec}), a container of named children
 * ({@link SequentialSpec}, {@link ModuleListSpec}, {@link ModuleDictSpec}), a module of any class
 * ({@link ModuleSpec}) or a reference to a shared entry ({@link Ref}). Each kind parses itself
 * (its parser is listed in {@link SpecParser}), builds, sizes, settles and writes itself back,
 * so a new kind is one class.
 */
public sealed interface NodeSpec permits NodeSpec.Ref, SequentialSpec, ModuleListSpec, ModuleDictSpec, ModuleSpec, TransformerStackSpec, LayerSpec {

    /** A fresh module (a ref answers the shared one); layers draw from the factory's generator in construction order. */
    Module build(ModuleFactory factory);

    /** The node as {@code GET /models/{id}} echoes it, defaults filled in. */
    Map<String, Object> json();

    /** This node with each layer as its built module is now (a lazy layer after its first forward says Linear). */
    NodeSpec settle(Map<LayerSpec, Module> built);

    /** The named children, in registration order. */
    default List<Child> children() {
        return List.of();
    }

    /** Parameter and buffer elements this node allocates itself, children apart. */
    default long ownElements() {
        return 0;
    }

    /** Parameter and buffer elements the node constructs (refs construct nothing), saturating. */
    default long elements() {
        long sum = ownElements();
        for (Child child : children()) sum = Sizes.add(sum, child.node().elements());
        return sum;
    }

    /** Module paths under and including this node, a shared entry counted at every use, saturating. */
    default long paths(Map<String, Long> pathsByKey) {
        long sum = 1;
        for (Child child : children()) sum = Sizes.add(sum, child.node().paths(pathsByKey));
        return sum;
    }

    /** Containers nested on the deepest path, refs followed. */
    default int depth(Map<String, Integer> depthByKey) {
        int deepest = 0;
        for (Child child : children()) deepest = Math.max(deepest, 1 + child.node().depth(depthByKey));
        return deepest;
    }

    /** A {@code {"ref": key}} node: the shared module itself, never a copy. */
    record Ref(String key) implements NodeSpec {
        public Module build(ModuleFactory factory) {
            return factory.shared(key);
        }

        public Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ref", key);
            return out;
        }

        public NodeSpec settle(Map<LayerSpec, Module> built) {
            return this;
        }

        @Override
        public long elements() {
            return 0;
        }

        @Override
        public long paths(Map<String, Long> pathsByKey) {
            return pathsByKey.getOrDefault(key, 1L);
        }

        @Override
        public int depth(Map<String, Integer> depthByKey) {
            return depthByKey.getOrDefault(key, 0);
        }
    }

    /** A named child of a container or a Module. */
    record Child(String name, NodeSpec node) {
        Child settle(Map<LayerSpec, Module> built) {
            return new Child(name, node.settle(built));
        }
    }

    /** The children as the echo lists them: each node's JSON with its name first. */
    static List<Map<String, Object>> json(List<Child> children) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Child child : children) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", child.name());
            node.putAll(child.node().json());
            out.add(node);
        }
        return out;
    }

    static List<Child> settle(List<Child> children, Map<LayerSpec, Module> built) {
        return children.stream().map(c -> c.settle(built)).toList();
    }
}
