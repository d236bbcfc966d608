package io.paramlab.spec;

import io.paramlab.init.InitPolicy;

import java.util.List;
import java.util.Map;

/**
 * An init request: an optional seed, then rules applied in order, each {@code net[module].apply(fn)}
 * with {@code fn} filtered by layer type and initializing the named local parameters in order.
 */
public record InitSpec(Long seed, List<Rule> rules) {

    /** {@code layerTypes} null means every type. */
    public record Rule(String module, List<String> layerTypes, Map<String, InitPolicy> params) {
    }
}
