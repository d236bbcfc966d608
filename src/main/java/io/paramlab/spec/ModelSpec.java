package io.paramlab.spec;

import java.util.Map;

/** A whole model spec: its name, optional seed, shared entries in JSON order, and the root. */
public record ModelSpec(String name, Long seed, Map<String, NodeSpec> shared, NodeSpec model) {
}
