package io.paramlab.api;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The conformance cases computed by PyTorch 1.13, and comparison with their tolerances. */
final class Conformance {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;

    private Conformance() {
    }

    /** Every case file of the given kind ("" for numeric cases, which have no kind), named by its id. */
    static Stream<Arguments> cases(String kind) throws IOException, URISyntaxException {
        Path dir = Path.of(Conformance.class.getResource("/conformance").toURI());
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    JsonNode c = HttpApi.JSON.readTree(in);
                    String caseKind = c.has("kind") ? c.get("kind").stringValue() : "";
                    if (caseKind.equals(kind)) {
                        out.add(c);
                    }
                }
            }
        }
        assertThat(out).as("cases of kind '" + kind + "'").isNotEmpty();
        return out.stream().map(c -> Arguments.of(Named.of(c.get("id").stringValue(), c)));
    }

    /** Compares two tensors: same shape and dtype, values within rtol/atol, or bit for bit when {@code exact}. */
    static void assertTensor(String what, JsonNode expected, JsonNode actual, boolean exact) {
        assertThat(actual).as(what + " is missing").isNotNull();
        assertThat(actual.get("shape")).as(what + " shape").isEqualTo(expected.get("shape"));
        assertThat(actual.get("dtype")).as(what + " dtype").isEqualTo(expected.get("dtype"));
        List<Double> e = flatten(expected.get("data"));
        List<Double> a = flatten(actual.get("data"));
        assertThat(a).as(what + " element count").hasSameSizeAs(e);
        for (int i = 0; i < e.size(); i++) {
            double x = e.get(i);
            double y = a.get(i);
            if (exact) {
                if ((float) x != (float) y) {
                    fail(what + "[" + i + "]: expected exactly " + (float) x + " but was " + (float) y);
                }
            } else if (!(Math.abs(x - y) <= ATOL + RTOL * Math.abs(x)) && !(Double.isNaN(x) && Double.isNaN(y))) {
                fail(what + "[" + i + "]: expected " + x + " but was " + y + " (rtol " + RTOL + ", atol " + ATOL + ")");
            }
        }
    }

    static void assertClose(String what, double expected, double actual) {
        if (!(Math.abs(expected - actual) <= ATOL + RTOL * Math.abs(expected))) {
            fail(what + ": expected " + expected + " but was " + actual);
        }
    }

    /** A tensor answer's {@code data}, flattened as floats. */
    static float[] floats(JsonNode tensor) {
        List<Double> values = flatten(tensor.get("data"));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i).floatValue();
        return out;
    }

    static List<Double> flatten(JsonNode data) {
        List<Double> out = new ArrayList<>();
        flattenInto(data, out);
        return out;
    }

    private static void flattenInto(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            for (Iterator<JsonNode> it = node.iterator(); it.hasNext(); ) {
                flattenInto(it.next(), out);
            }
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
}
