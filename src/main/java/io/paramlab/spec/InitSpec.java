package io.paramlab.spec;

import io.paramlab.nn.InitRule;

import java.util.List;

/**
 * An init request: an optional seed, then rules applied in order, each {@code net[module].apply(fn)}
 * with {@code fn} filtered by layer type and initializing the named local parameters in order.
 */
public record InitSpec(Long seed, List<InitRule> rules) {
}
