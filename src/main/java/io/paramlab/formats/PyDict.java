package io.paramlab.formats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python dict or {@code collections.OrderedDict} from a pickle: its items in order, plus the
 * attributes a BUILD set on it (a state dict's {@code _metadata}).
 */
public final class PyDict extends LinkedHashMap<Object, Object> {
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    /** The instance attributes, e.g. {@code _metadata}; empty for a plain dict. */
    public Map<String, Object> attributes() {
        return attributes;
    }
}
