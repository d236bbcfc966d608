package io.paramlab.nn;

import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.spec.SpecParser;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Losses;
import io.paramlab.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Engine-level conformance cases without the HTTP layer: the one place that turns a case's
 * {@code create}, {@code state_dict} and {@code steps} into a live module (spec/model are being
 * reshaped, so nothing else in nn's tests should know how a model is built).
 */
final class CaseModels {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private CaseModels() {
    }

    /** The case files whose names start with {@code prefix}, sorted. */
    static List<JsonNode> cases(String prefix) throws IOException, URISyntaxException {
        Path dir = Path.of(CaseModels.class.getResource("/conformance").toURI());
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.toString().endsWith(".json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    out.add(JSON.readTree(in));
                }
            }
        }
        return out;
    }

    /** Builds {@code create}, loads {@code state_dict} strictly, then runs {@code steps}. */
    static Module build(JsonNode c) {
        ModelSpec spec = SpecParser.parse(c.get("create"), 32);
        Module net = ModuleFactory.build(spec, new Generator(spec.seed() == null ? 0 : spec.seed())).root();
        Map<String, TensorData> state = net.stateDict();
        if (!state.keySet().equals(c.get("state_dict").propertyNames())) {
            throw new AssertionError("state_dict keys " + state.keySet() + " vs " + c.get("state_dict").propertyNames());
        }
        c.get("state_dict").properties().forEach(e -> state.get(e.getKey()).copyFrom(tensor(e.getValue())));
        for (JsonNode step : c.get("steps")) {
            if (!"backward".equals(step.get("op").stringValue())) {
                throw new AssertionError("this helper runs backward steps only, not " + step.get("op"));
            }
            Tensor output = net.forward(asTensor(tensor(step.get("input"))));
            loss(step.get("loss").stringValue(), output, step.get("target")).backward();
        }
        return net;
    }

    private static Tensor loss(String name, Tensor output, JsonNode target) {
        switch (name) {
            case "mse":
                return Losses.mse(output, asTensor(tensor(target)));
            case "l1":
                return Losses.l1(output, asTensor(tensor(target)));
            case "sum":
                return Losses.sum(output);
            case "mean":
                return Losses.mean(output);
            default:
                throw new AssertionError("loss " + name + " is not in this helper yet");
        }
    }

    private static Tensor asTensor(TensorData data) {
        return Tensor.of(data.floats(), data.shape());
    }

    /** A case tensor {@code {shape, dtype, data}}; non-finite values are the strings "NaN", "Infinity", "-Infinity". */
    static TensorData tensor(JsonNode node) {
        int[] shape = new int[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = node.get("shape").get(i).intValue();
        List<Double> values = new ArrayList<>();
        flatten(node.get("data"), values);
        if ("int64".equals(node.get("dtype").stringValue())) {
            return TensorData.ofLongs(values.stream().mapToLong(Double::longValue).toArray(), shape);
        }
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) floats[i] = values.get(i).floatValue();
        return TensorData.ofFloats(floats, shape);
    }

    private static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, out));
        } else {
            out.add(number(node));
        }
    }

    static double number(JsonNode node) {
        if (node.isString()) {
            switch (node.stringValue()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: throw new AssertionError("not a number: " + node);
            }
        }
        return node.doubleValue();
    }
}
