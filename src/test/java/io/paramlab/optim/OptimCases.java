package io.paramlab.optim;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The optim and train conformance cases, JSON to plain values, and comparison with rtol=1e-4, atol=1e-6. */
final class OptimCases {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-6;

    private OptimCases() {
    }

    static Stream<Arguments> cases(String kind) throws IOException, URISyntaxException {
        Path dir = Path.of(OptimCases.class.getResource("/conformance").toURI());
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(kind + "_")).sorted().toList()) {
                JsonNode c = JSON.readTree(file.toFile());
                if (c.has("kind") && c.get("kind").stringValue().equals(kind)) {
                    out.add(Arguments.of(Named.of(c.get("id").stringValue(), c)));
                }
            }
        }
        assertThat(out).as("cases of kind " + kind).isNotEmpty();
        return out.stream();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, Map.class);
    }

    static int[] shape(JsonNode t) {
        JsonNode s = t.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).intValue();
        return shape;
    }

    static double[] flatten(JsonNode data) {
        List<Double> out = new ArrayList<>();
        flattenInto(data, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flattenInto(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(child -> flattenInto(child, out));
        } else if (node.isString()) {
            out.add(switch (node.stringValue()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                default -> Double.NEGATIVE_INFINITY;
            });
        } else {
            out.add(node.doubleValue());
        }
    }

    static void assertClose(String what, double expected, double actual) {
        if (!(Math.abs(expected - actual) <= ATOL + RTOL * Math.abs(expected))) {
            fail(what + ": expected " + expected + " but was " + actual);
        }
    }

    static void assertTensor(String what, JsonNode expected, TensorData actual) {
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.shape()).as(what + " shape").containsExactly(shape(expected));
        assertThat(actual.dtype()).as(what + " dtype").isEqualTo(expected.get("dtype").stringValue());
        double[] e = flatten(expected.get("data"));
        for (int i = 0; i < e.length; i++) {
            double a = actual.isFloat() ? actual.floats()[i] : actual.longs()[i];
            assertClose(what + "[" + i + "]", e[i], a);
        }
    }

    static void assertStateDict(String what, JsonNode expected, Map<String, TensorData> actual) {
        assertThat(actual.keySet()).as(what + " keys").containsExactlyElementsOf(() -> expected.propertyNames().iterator());
        expected.properties().forEach(e -> assertTensor(what + " " + e.getKey(), e.getValue(), actual.get(e.getKey())));
    }

    /** A plain-value state dict (nested maps, lists, numbers, TensorData) against the case's JSON, keys in order. */
    static void assertPlain(String what, JsonNode expected, Object actual) {
        if (expected.isObject() && expected.has("dtype") && expected.has("shape") && actual instanceof TensorData t) {
            assertTensor(what, expected, t);
        } else if (expected.isObject()) {
            assertThat(actual).as(what).isInstanceOf(Map.class);
            Map<?, ?> m = (Map<?, ?>) actual;
            List<String> keys = new ArrayList<>();
            m.keySet().forEach(k -> keys.add(String.valueOf(k)));
            assertThat(keys).as(what + " keys").containsExactlyElementsOf(() -> expected.propertyNames().iterator());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                assertPlain(what + "." + e.getKey(), expected.get(String.valueOf(e.getKey())), e.getValue());
            }
        } else if (expected.isArray()) {
            assertThat(actual).as(what).isInstanceOf(List.class);
            List<?> l = (List<?>) actual;
            assertThat(l).as(what + " size").hasSize(expected.size());
            for (int i = 0; i < l.size(); i++) {
                assertPlain(what + "[" + i + "]", expected.get(i), l.get(i));
            }
        } else if (expected.isNull()) {
            assertThat(actual).as(what).isNull();
        } else if (expected.isBoolean()) {
            assertThat(actual).as(what).isEqualTo(expected.booleanValue());
        } else if (expected.isIntegralNumber()) {
            assertThat(actual).as(what + " (a Python int)").isInstanceOf(Long.class);
            assertThat(((Number) actual).longValue()).as(what).isEqualTo(expected.longValue());
        } else {
            assertThat(actual).as(what + " (a Python float)").isInstanceOf(Double.class);
            assertClose(what, expected.doubleValue(), ((Number) actual).doubleValue());
        }
    }
}
