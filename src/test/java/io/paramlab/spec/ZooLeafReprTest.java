package io.paramlab.spec;

import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer node of every zoo case (resnet18, mobilenet_v2, squeezenet, efficientnet, ...) whose
 * type is declared here parses as exported by torch_export.py and prints a line of PyTorch's repr
 * of that network: the leaves are ready for the graph nodes that hold them.
 */
class ZooLeafReprTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyDeclaredLeafOfTheZooParsesAndPrintsAsPyTorch() throws Exception {
        Path dir = Path.of(ZooLeafReprTest.class.getResource("/conformance").toURI());
        int checked = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("zoo_")).sorted().toList()) {
                JsonNode c;
                try (InputStream in = Files.newInputStream(file)) {
                    c = JSON.readTree(in);
                }
                Set<String> leaves = new HashSet<>();
                for (String line : c.get("expect_structure").get("repr").stringValue().split("\n")) {
                    String t = line.trim();
                    if (t.startsWith("(") && t.endsWith(")")) {
                        leaves.add(t.substring(t.indexOf("): ") + 3));
                    }
                }
                List<JsonNode> nodes = new ArrayList<>();
                collect(c.get("create"), nodes);
                for (JsonNode node : nodes) {
                    ObjectNode alone = ((ObjectNode) node.deepCopy());
                    alone.remove("name");
                    ModelSpec spec = SpecParser.parse(JSON.createObjectNode().set("model", alone), 32);
                    String repr = ModuleFactory.build(spec, new Generator(0)).root().repr();
                    String whole = c.get("expect_structure").get("repr").stringValue();
                    if (repr.contains("\n")) {   // a layer with children (MultiheadAttention, a transformer layer): its lines, indented
                        List<String> lines = whole.lines().map(String::trim).toList();
                        assertThat(lines).as(file.getFileName() + ": " + alone)
                                .containsAll(repr.lines().skip(1).map(String::trim).toList());
                    } else if (!repr.equals(whole)) {   // a layer alone is the whole repr
                        assertThat(leaves).as(file.getFileName() + ": " + alone).contains(repr);
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isObject()) {
            if (n.has("type") && n.get("type").isString() && LayerSpec.TYPES.containsKey(n.get("type").stringValue())
                    && !n.has("op")) {
                out.add(n);
                return;
            }
            n.properties().forEach(e -> collect(e.getValue(), out));
        } else if (n.isArray()) {
            n.forEach(v -> collect(v, out));
        }
    }
}
