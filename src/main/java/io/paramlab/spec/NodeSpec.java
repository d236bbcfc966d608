package io.paramlab.spec;

import java.util.List;

/**
 * One node of a model spec: a layer with its arguments (defaults filled in, see {@link LayerSpec}),
 * a Sequential of named children, or a reference to a shared entry.
 */
public sealed interface NodeSpec permits NodeSpec.Ref, NodeSpec.Sequential, LayerSpec {

    /** A {@code {"ref": key}} node: the shared module itself, never a copy. */
    record Ref(String key) implements NodeSpec {
    }

    /** A child of a Sequential; {@code name} defaults to the child's index. */
    record Child(String name, NodeSpec node) {
    }

    record Sequential(List<Child> layers) implements NodeSpec {
    }
}
