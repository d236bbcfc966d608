package io.paramlab.spec;

import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A graph is checked when the model is created: each rule refused with a 400 naming the node's field. */
class GraphValidationTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A block with a Linear, a ModuleList and an own parameter; {@code nodes} is its graph between the placeholder and the output. */
    private static String block(String nodes, String output) {
        return """
                {"seed": 0, "model": {"type": "Module", "class_name": "Block",
                  "parameters": [{"name": "scale", "shape": [4], "init": {"type": "ones"}}],
                  "modules": [{"name": "fc", "type": "Linear", "in_features": 4, "out_features": 4},
                              {"name": "list", "type": "ModuleList", "modules": [{"type": "ReLU"}]}],
                  "graph": [{"name": "x", "op": "placeholder"},
                """ + nodes + """
                            {"name": "output", "op": "output", "args": [{"node": "%s"}]}]}}""".formatted(output);
    }

    private static void create(String json) {
        JsonNode root = JSON.readTree(json);
        ModuleFactory.build(SpecParser.parse(root, new SpecParser.Limits(32, 50)), new Generator(0));
    }

    private static InvalidInputException refused(String json) {
        return catchThrowableOfType(InvalidInputException.class, () -> create(json));
    }

    @Test
    void aValidGraphBuilds() {
        create(block("""
                {"name": "fc", "op": "call_module", "target": "fc", "args": [{"node": "x"}]},
                {"name": "relu", "op": "call_module", "target": "list.0", "args": [{"node": "fc"}]},
                {"name": "scale", "op": "get_attr", "target": "scale"},
                {"name": "mul", "op": "call_function", "target": "operator.mul", "args": [{"node": "relu"}, {"node": "scale"}]},
                {"name": "add", "op": "call_method", "target": "add", "args": [{"node": "mul"}, {"node": "x"}], "kwargs": {"alpha": 2}},
                """, "add"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown op           | {"name": "y", "op": "call_anything", "target": "fc"}                                    | model.graph[1].op            | unknown op "call_anything"
            unknown function     | {"name": "y", "op": "call_function", "target": "torch.frobnicate", "args": [{"node": "x"}]} | model.graph[1].target  | unknown function "torch.frobnicate"
            unknown method       | {"name": "y", "op": "call_method", "target": "frobnicate", "args": [{"node": "x"}]}     | model.graph[1].target        | unknown method "frobnicate"
            use before defined   | {"name": "y", "op": "call_module", "target": "fc", "args": [{"node": "z"}]}            | model.graph[1].args[0]       | node "z" is used before it is defined
            defined twice        | {"name": "x", "op": "call_module", "target": "fc", "args": [{"node": "x"}]}            | model.graph[1].name          | node "x" is defined twice
            not a module         | {"name": "y", "op": "call_module", "target": "fc2", "args": [{"node": "x"}]}           | model.graph[1].target        | "fc2" is not a module under this one
            calls itself         | {"name": "y", "op": "call_module", "target": "", "args": [{"node": "x"}]}              | model.graph[1].target        | may not call the module that holds it
            no forward           | {"name": "y", "op": "call_module", "target": "list", "args": [{"node": "x"}]}          | model.graph[1].target        | Module [ModuleList] is missing the required "forward" function
            get_attr not tensor  | {"name": "y", "op": "get_attr", "target": "fc"}                                          | model.graph[1].target        | "fc" is not a parameter or buffer
            too many arguments   | {"name": "y", "op": "call_function", "target": "operator.add", "args": [{"node": "x"}, 1, 2]} | model.graph[1].args   | add() takes 2 positional arguments but 3 were given
            missing argument     | {"name": "y", "op": "call_function", "target": "torch.cat", "args": []}                | model.graph[1].args          | cat() missing 1 required positional argument: 'tensors'
            unknown kwarg        | {"name": "y", "op": "call_function", "target": "torch.flatten", "args": [{"node": "x"}], "kwargs": {"start": 1}} | model.graph[1].args | flatten() got an unexpected keyword argument 'start'
            bad argument form    | {"name": "y", "op": "call_function", "target": "torch.relu", "args": [{"nodes": "x"}]} | model.graph[1].args[0]       | must be a number, bool, null
            """)
    void eachRuleIsA400NamingTheNode(String rule, String node, String field, String message) {
        InvalidInputException e = refused(block(node + ",", "x"));
        assertThat(e).as(rule).isNotNull();
        assertThat(e.errors()).as(rule).anySatisfy(error -> {
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.message()).contains(message);
        });
    }

    @Test
    void aGraphWithoutAnOutputIsRefused() {
        InvalidInputException e = refused("""
                {"model": {"type": "Module", "graph": [{"name": "x", "op": "placeholder"}]}}""");
        assertThat(e.errors()).anySatisfy(error -> assertThat(error.message()).contains("no output node"));
    }

    @Test
    void aNestedGraphIsNamedByItsPath() {
        InvalidInputException e = refused("""
                {"model": {"type": "Sequential", "layers": [{"type": "Module", "class_name": "Inner", "graph": [
                  {"name": "x", "op": "placeholder"},
                  {"name": "y", "op": "call_module", "target": "nothing", "args": [{"node": "x"}]},
                  {"name": "output", "op": "output", "args": [{"node": "y"}]}]}]}}""");
        assertThat(e.errors()).anySatisfy(error -> assertThat(error.field()).isEqualTo("model.layers[0].graph[1].target"));
    }

    @Test
    void aCallToAGraphModuleIsCheckedAgainstItsPlaceholders() {
        InvalidInputException e = refused("""
                {"model": {"type": "Module", "modules": [{"name": "inner", "type": "Module", "graph": [
                    {"name": "a", "op": "placeholder"}, {"name": "b", "op": "placeholder", "default": null},
                    {"name": "output", "op": "output", "args": [{"node": "a"}]}]}],
                  "graph": [{"name": "x", "op": "placeholder"},
                    {"name": "y", "op": "call_module", "target": "inner", "args": [{"node": "x"}], "kwargs": {"c": {"node": "x"}}},
                    {"name": "output", "op": "output", "args": [{"node": "y"}]}]}}""");
        assertThat(e.errors()).anySatisfy(error -> {
            assertThat(error.field()).isEqualTo("model.graph[1].args");
            assertThat(error.message()).isEqualTo("forward() got an unexpected keyword argument 'c'");
        });
    }

    @Test
    void moreNodesThanMaxGraphNodesIsA413NamingTheLimit() {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            nodes.append("{\"name\": \"r").append(i).append("\", \"op\": \"call_function\", \"target\": \"torch.relu\", \"args\": [{\"node\": \"x\"}]},");
        }
        assertThatThrownBy(() -> create(block(nodes.toString(), "x")))
                .isInstanceOfSatisfying(LimitExceededException.class, e -> {
                    assertThat(e.limit()).isEqualTo("max-graph-nodes");
                    assertThat(e.actual()).isEqualTo(62);
                    assertThat(e.maximum()).isEqualTo(50);
                    assertThat(e.field()).isEqualTo("model.graph");
                });
    }
}
