package io.paramlab.spec;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Module, ModuleList, ModuleDict and class_name on Sequential: PyTorch's repr, state_dict order and _metadata versions. */
class ModuleNodesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    // The spec of torch_reference.build in the comments below; its answers pasted from
    // /usr/bin/python3 (PyTorch 1.13): repr(net), list(net.state_dict()), dict(net.state_dict()._metadata).
    private static final String SPEC = """
            {"seed": 0, "model": {"type": "Module", "class_name": "Net", "version": 2,
              "parameters": [{"name": "pos", "shape": [1, 3], "init": {"type": "constant", "value": 0.5}}],
              "buffers": [{"name": "steps", "shape": [], "dtype": "int64", "data": [7]},
                          {"name": "cache", "shape": [2], "persistent": false}],
              "modules": [
                {"name": "body", "type": "Sequential", "class_name": "Conv2dNormActivation", "layers": [
                    {"type": "Linear", "in_features": 3, "out_features": 3}, {"type": "ReLU"}]},
                {"name": "heads", "type": "ModuleList", "modules": [{"type": "Linear", "in_features": 3, "out_features": 2}, {"type": "Tanh"}]},
                {"name": "extra", "type": "ModuleDict", "modules": [{"name": "drop", "type": "Dropout", "p": 0.25}]},
                {"name": "sd", "type": "Module", "class_name": "StochasticDepth", "extra_repr": "p=0.0, mode=row"},
                {"name": "empty", "type": "ModuleList"}]}}""";

    private static final String REPR = """
            Net(
              (body): Conv2dNormActivation(
                (0): Linear(in_features=3, out_features=3, bias=True)
                (1): ReLU()
              )
              (heads): ModuleList(
                (0): Linear(in_features=3, out_features=2, bias=True)
                (1): Tanh()
              )
              (extra): ModuleDict(
                (drop): Dropout(p=0.25, inplace=False)
              )
              (sd): StochasticDepth(p=0.0, mode=row)
              (empty): ModuleList()
            )""";

    private static Module build(ModelSpec spec) {
        return ModuleFactory.build(spec, new Generator(0)).root();
    }

    @Test
    void reprIsPyTorchsForNestedModules() {
        assertThat(build(SpecParser.parse(JSON.readTree(SPEC), 32)).repr()).isEqualTo(REPR);
    }

    @Test
    void ownTensorsComeFirstAndANonPersistentBufferIsLeftOut() {
        Module net = build(SpecParser.parse(JSON.readTree(SPEC), 32));
        assertThat(net.stateDict().keySet()).containsExactly("pos", "steps", "body.0.weight", "body.0.bias", "heads.0.weight", "heads.0.bias");
        assertThat(net.stateDict().get("pos").floats()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(net.stateDict().get("steps").longs()).containsExactly(7L);
        assertThat(net.namedBuffers()).containsKey("cache");
    }

    @Test
    void versionsGoIntoMetadata() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("", 2);
        for (String path : List.of("body", "body.0", "body.1", "heads", "heads.0", "heads.1", "extra", "extra.drop", "sd", "empty")) {
            expected.put(path, 1);
        }
        assertThat(build(SpecParser.parse(JSON.readTree(SPEC), 32)).stateDictVersions()).containsExactlyEntriesOf(expected);
    }

    @Test
    void theEchoParsesBackToTheSameSpec() {
        ModelSpec spec = SpecParser.parse(JSON.readTree(SPEC), 32);
        String echo = JSON.writeValueAsString(SpecJson.of(spec));
        ModelSpec again = SpecParser.parse(JSON.readTree(echo), 32);
        assertThat(JSON.writeValueAsString(SpecJson.of(again))).isEqualTo(echo);
        assertThat(build(again).repr()).isEqualTo(REPR);
        assertThat(echo).contains("\"class_name\":\"Conv2dNormActivation\"").contains("\"persistent\":false");
    }

    @Test
    void aModuleWithoutAGraphHasNoForward() {
        Module net = build(SpecParser.parse(JSON.readTree(SPEC), 32));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> net.forward(io.paramlab.tensor.Tensor.zeros(1, 3)))
                .hasMessage("Module [Net] is missing the required \"forward\" function");
    }

    @Test
    void aModuleDictNeedsNamesAndAModuleNamesItsChildrenUniquely() {
        InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class, () ->
                SpecParser.parse(JSON.readTree("""
                        {"model": {"type": "Module", "parameters": [{"name": "a", "shape": [1]}],
                          "modules": [{"name": "a", "type": "ReLU"},
                                      {"name": "d", "type": "ModuleDict", "modules": [{"type": "ReLU"}]}]}}"""), 32));
        assertThat(e.errors()).extracting(FieldError::field).contains("model.modules[0].name", "model.modules[1].modules[0].name");
    }

    /**
     * A tie with a lazy layer's uninitialized parameter was taken, and the first forward then
     * answered a 500 (an empty weight); PyTorch fails there too ('Parameter' object has no
     * attribute 'materialize'). Refused at create, naming the tie and the parameter.
     */
    @Test
    void aTieOfAnUninitializedParameterIsRefusedNamingIt() {
        for (String to : List.of("0.weight", "2.weight")) {
            ModelSpec spec = SpecParser.parse(JSON.readTree("""
                    {"model": {"type": "Sequential", "layers": [{"type": "LazyLinear", "out_features": 3},
                      {"type": "LazyLinear", "out_features": 3}, {"type": "Linear", "in_features": 3, "out_features": 3}]},
                     "tied_parameters": [{"param": "1.weight", "to": "%s"}]}""".formatted(to)), 32);
            InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class,
                    () -> ModuleFactory.build(spec, new Generator(0)));
            assertThat(e).as(to).isNotNull();
            assertThat(e.errors()).extracting(FieldError::field).containsExactly("tied_parameters[0]");
            assertThat(e.errors().get(0).message()).startsWith("1.weight is an uninitialized parameter of a lazy layer");
        }
    }

    /**
     * A Module's own tensor whose init policy does not fit its shape (kaiming or orthogonal on one
     * dimension) answered a 500 (an InitException at build); a 400 naming the field, with PyTorch's
     * message, now.
     */
    @Test
    void anInitThatDoesNotFitItsTensorIsRefusedNamingIt() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("""
                {"model": {"type": "Module", "parameters": [{"name": "p", "shape": [3], "init": {"type": "kaiming_uniform"}}]}}""",
                "model.parameters[0].init=p: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        cases.put("""
                {"model": {"type": "Module", "buffers": [{"name": "b", "shape": [3], "init": {"type": "orthogonal"}}]}}""",
                "model.buffers[0].init=b: Only tensors with 2 or more dimensions are supported");
        cases.forEach((json, expected) -> {
            ModelSpec spec = SpecParser.parse(JSON.readTree(json), 32);
            InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class,
                    () -> ModuleFactory.build(spec, new Generator(0)));
            assertThat(e).as(json).isNotNull();
            assertThat(e.errors()).extracting(f -> f.field() + "=" + f.message()).containsExactly(expected);
        });
    }

    /**
     * A Module's own tensor's init policy was checked, but its errors were added with addAll, which the
     * error list did not count: an unknown field or a bad number was taken silently (the number as its
     * default), and an unknown policy answered 500. Now each is a 400 naming the field, as in POST /init.
     */
    @Test
    void aModuleTensorsPolicyIsCheckedAsAnInitRequestsIs() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"type\": \"kaiming_uniform\", \"zz\": 1}", "model.parameters[0].init.zz");
        cases.put("{\"type\": \"uniform\", \"a\": \"x\"}", "model.parameters[0].init.a");
        cases.put("{\"type\": \"bogus\"}", "model.parameters[0].init.type");
        cases.forEach((policy, field) -> {
            InvalidInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidInputException.class, () ->
                    SpecParser.parse(JSON.readTree("{\"model\": {\"type\": \"Module\", \"parameters\": "
                            + "[{\"name\": \"p\", \"shape\": [3, 3], \"init\": " + policy + "}]}}"), 32));
            assertThat(e).as(policy).isNotNull();
            assertThat(e.errors()).extracting(FieldError::field).as(policy).containsExactly(field);
        });
    }
}
