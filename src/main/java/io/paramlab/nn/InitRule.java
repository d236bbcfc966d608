package io.paramlab.nn;

import io.paramlab.init.InitPolicy;

import java.util.List;
import java.util.Map;

/**
 * One rule of an init request, {@code net[module].apply(fn)}: {@code fn} skips modules whose type is
 * not in {@code layerTypes} (null: every type) and initializes the named local parameters in order.
 */
public record InitRule(String module, List<String> layerTypes, Map<String, InitPolicy> params) {
}
