package io.paramlab.api;

import io.paramlab.formats.PickleLimits;
import io.paramlab.formats.TorchSave;
import io.paramlab.nn.TensorData;
import io.paramlab.nn.TensorStats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The optimizer endpoints through HTTP: every {@code optim_*} case PyTorch 1.13 computed, at the
 * README's tolerances (rtol 1e-4, atol 1e-6), and the answers around them (409s, 404s, an
 * atomic train step, the state dict as JSON and torch.save, update ratios).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OptimizerHttpTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-6;
    private static final Map<String, Object> TRAIN_BODY = Map.of(
            "input", List.of(List.of(0.1, -0.2, 0.3, 0.4), List.of(0.5, 0.6, -0.7, 0.8), List.of(1, 0, 0, 1)),
            "target", List.of(List.of(1.0), List.of(0.0), List.of(0.5)), "loss", "mse");

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    static Stream<Arguments> optimCases() throws Exception {
        return Conformance.cases("optim");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimCases")
    void optimCaseMatchesPyTorch(JsonNode c) {
        String model = "/models/" + api.create(c.get("create"));
        ok(api.put(model + "/state-dict", c.get("state_dict")));
        ok(api.put(model + "/optimizer", c.get("optimizer")));
        int n = 0;
        for (JsonNode step : c.get("steps")) {
            String op = step.get("op").stringValue();
            String what = "step " + n++ + " (" + op + ")";
            JsonNode expect = step.get("expect");
            switch (op) {
                case "backward" -> assertClose(what + " loss", expect.get("loss"), ok(api.post(model + "/backward", lossBody(step))).body().get("loss"));
                case "zero_grad" -> assertThat(api.send("POST", model + "/zero-grad", null, null, null).status()).isEqualTo(204);
                case "step" -> {
                    ok(api.send("POST", model + "/step", null, null, null));
                    assertJson(what, expect.get("state_dict"), api.get(model + "/state-dict").body());
                }
                case "train_step" -> {
                    assertClose(what + " loss", expect.get("loss"), ok(api.post(model + "/train-step", lossBody(step))).body().get("loss"));
                    assertJson(what, expect.get("state_dict"), api.get(model + "/state-dict").body());
                }
                case "scheduler_step" -> {
                    JsonNode lr = ok(api.send("POST", model + "/scheduler-step", null, null, null)).body().get("lr");
                    assertJson(what + " lr", expect.get("lr"), lr);
                }
                default -> fail("unknown op " + op);
            }
        }
        assertJson("optimizer.state_dict()", c.get("expect_optimizer_state_dict"), ok(api.get(model + "/optimizer/state-dict")).body());
        assertJson("state_dict after", c.get("expect_state_dict_after"), api.get(model + "/state-dict").body());
    }

    @Test
    void theDocumentedExamplesRunOnTheChaptersNet() {
        String model = "/models/" + api.create(ApiExamples.NET);
        ok(api.put(model + "/optimizer", OptimizerController.GROUPS));
        ok(api.put(model + "/optimizer", OptimizerController.SGD));
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1)));
        ok(api.put(model + "/optimizer/state-dict", OptimizerStateDictController.SGD_STATE_DICT));
        assertThat(ok(api.post(model + "/train-step", OptimizerController.TRAIN_STEP)).body().get("step_count").intValue()).isEqualTo(1);
    }

    /** The README's training walkthrough: the numbers it shows are PyTorch 1.13's. */
    @Test
    void theReadmeTrainsTheChaptersNetAsPyTorchDoes() {
        String model = "/models/" + api.create(Map.of("name", "net", "seed", 42, "model", BadInputTest.NET.get("model")));
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1, "momentum", 0.9)));
        Map<String, Object> body = Map.of("input", List.of(List.of(0.1, 0.2, 0.3, 0.4), List.of(0.5, 0.6, 0.7, 0.8)),
                "target", List.of(List.of(1.0), List.of(0.0)), "loss", "mse");
        double[] pytorch = {0.36264318227767944, 0.35138458013534546, 0.3320979177951813};
        for (int i = 0; i < 3; i++) {
            JsonNode answer = ok(api.post(model + "/train-step", body)).body();
            assertClose("loss " + i, HttpApi.JSON.getNodeFactory().numberNode(pytorch[i]), answer.get("loss"));
            assertThat(answer.get("step_count").intValue()).isEqualTo(i + 1);
        }
        assertClose("2.bias", HttpApi.JSON.getNodeFactory().numberNode(0.2787298262119293),
                api.get(model + "/parameters/2.bias").body().get("data").get("data").get(0));
        assertClose("momentum_buffer", HttpApi.JSON.getNodeFactory().numberNode(-0.45929569005966187),
                api.get(model + "/optimizer/state-dict").body().get("state").get("3").get("momentum_buffer").get("data").get(0));
    }

    @Test
    void withoutAnOptimizerReadsAre404AndStepsAre409() {
        String model = "/models/" + api.create(BadInputTest.NET);
        assertThat(api.get(model + "/optimizer").status()).isEqualTo(404);
        assertThat(api.get(model + "/optimizer/state-dict").status()).isEqualTo(404);
        assertThat(api.delete(model + "/optimizer").status()).isEqualTo(404);
        for (String path : List.of("/step", "/scheduler-step")) {
            HttpApi.Answer refused = api.send("POST", model + path, null, null, null);
            assertThat(refused.status()).as(path).isEqualTo(409);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:no-optimizer");
        }
        assertThat(api.post(model + "/train-step", TRAIN_BODY).status()).isEqualTo(409);
        assertThat(api.put(model + "/optimizer/state-dict", Map.of("state", Map.of(), "param_groups", List.of())).status()).isEqualTo(409);

        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1)));
        HttpApi.Answer noScheduler = api.send("POST", model + "/scheduler-step", null, null, null);
        assertThat(noScheduler.status()).isEqualTo(409);
        assertThat(noScheduler.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:no-scheduler");
        assertThat(api.delete(model + "/optimizer").status()).isEqualTo(204);
        assertThat(api.get(model + "/optimizer").status()).isEqualTo(404);
    }

    @Test
    void refusedSpecsSayWhyAndKeepTheEarlierOptimizer() {
        String model = "/models/" + api.create(BadInputTest.NET);
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1, "momentum", 0.9)));
        HttpApi.Answer badLr = api.put(model + "/optimizer", Map.of("type", "SGD", "lr", -1));
        assertThat(badLr.status()).isEqualTo(400);
        assertThat(badLr.body().get("errors").get(0).get("field").stringValue()).isEqualTo("lr");
        assertThat(badLr.body().get("errors").get(0).get("message").stringValue()).contains("Invalid learning rate: -1");
        HttpApi.Answer unknown = api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1,
                "param_groups", List.of(Map.of("params", List.of("9.weight")))));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("type").stringValue()).isEqualTo("urn:paramlab:problem:parameter-not-found");
        assertThat(api.get(model + "/optimizer").body().get("momentum").doubleValue()).isEqualTo(0.9);

        String lazy = "/models/" + api.create(Map.of("model", Map.of("type", "LazyLinear", "out_features", 2)));
        HttpApi.Answer uninitialized = api.put(lazy + "/optimizer", Map.of("type", "SGD", "lr", 0.1));
        assertThat(uninitialized.status()).isEqualTo(422);
        assertThat(uninitialized.body().get("detail").stringValue()).contains("Attempted to use an uninitialized parameter");
    }

    @Test
    void aRefusedTrainStepChangesNothing() {
        String model = "/models/" + api.create(BadInputTest.NET);
        ok(api.put(model + "/optimizer", Map.of("type", "Adam", "lr", 0.01, "scheduler", Map.of("type", "StepLR", "step_size", 1))));
        ok(api.post(model + "/train-step", TRAIN_BODY));
        ok(api.send("POST", model + "/scheduler-step", null, null, null));
        ok(api.post(model + "/train-step", TRAIN_BODY));
        List<JsonNode> before = readable(model);
        Map<String, Object> badTarget = new LinkedHashMap<>(TRAIN_BODY);
        badTarget.put("target", List.of(List.of(1.0), List.of(0.0)));   // 2 rows for 3 outputs
        HttpApi.Answer refused = api.post(model + "/train-step", badTarget);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(readable(model)).isEqualTo(before);
    }

    @Test
    void theStateDictRoundTripsThroughTorchSaveAndJson() throws Exception {
        String model = "/models/" + api.create(BadInputTest.NET);
        ok(api.put(model + "/optimizer", Map.of("type", "Adam", "lr", 0.01, "amsgrad", true,
                "scheduler", Map.of("type", "ExponentialLR", "gamma", 0.5))));
        ok(api.post(model + "/train-step", TRAIN_BODY));
        JsonNode saved = ok(api.get(model + "/optimizer/state-dict")).body();
        HttpApi.Bytes pt = api.getBytes(model + "/optimizer/state-dict?format=pt", null);
        assertThat(pt.status()).isEqualTo(200);
        assertThat(pt.contentType()).isEqualTo("application/octet-stream");
        assertThat(new String(pt.body(), 0, 2)).isEqualTo("PK");
        assertThat(api.getBytes(model + "/optimizer/state-dict", "application/octet-stream").body()).isEqualTo(pt.body());

        // as torch.load gives it: int keys, betas a tuple, Adam's step a 0-d tensor
        Map<?, ?> loaded = (Map<?, ?>) TorchSave.load(new ByteArrayInputStream(pt.body()), PickleLimits.of(1 << 20));
        Map<?, ?> state0 = (Map<?, ?>) ((Map<?, ?>) loaded.get("state")).get(0L);
        assertThat(((TensorData) state0.get("step")).shape()).isEmpty();
        Object betas = ((Map<?, ?>) ((List<?>) loaded.get("param_groups")).get(0)).get("betas");
        assertThat(betas).isNotInstanceOf(ArrayList.class).isEqualTo(List.of(0.9, 0.999));

        ok(api.post(model + "/train-step", TRAIN_BODY));
        assertThat(api.get(model + "/optimizer/state-dict").body()).isNotEqualTo(saved);
        ok(api.putBytes(model + "/optimizer/state-dict", "application/octet-stream", pt.body()));
        assertThat(api.get(model + "/optimizer/state-dict").body()).isEqualTo(saved);

        ok(api.post(model + "/train-step", TRAIN_BODY));
        ok(api.put(model + "/optimizer/state-dict", saved));
        assertThat(api.get(model + "/optimizer/state-dict").body()).isEqualTo(saved);

        // the tutorial's general checkpoint: {"epoch", "model_state_dict", "optimizer_state_dict", "loss"}
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        checkpoint.put("epoch", 5L);
        checkpoint.put("model_state_dict", Map.of("0.bias", TensorData.ofFloats(new float[8], 8)));
        checkpoint.put("optimizer_state_dict", loaded);
        checkpoint.put("loss", 0.25);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        TorchSave.writeObject(file, checkpoint);
        ok(api.post(model + "/train-step", TRAIN_BODY));
        HttpApi.Answer missing = api.putBytes(model + "/optimizer/state-dict?key=optim", "application/octet-stream", file.toByteArray());
        assertThat(missing.status()).isEqualTo(400);
        ok(api.putBytes(model + "/optimizer/state-dict?key=optimizer_state_dict", "application/octet-stream", file.toByteArray()));
        assertThat(api.get(model + "/optimizer/state-dict").body()).isEqualTo(saved);
    }

    @Test
    void aLoadThatDoesNotFitIsRefusedWithPyTorchsMessage() {
        String model = "/models/" + api.create(BadInputTest.NET);
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1, "momentum", 0.9)));
        ok(api.post(model + "/train-step", TRAIN_BODY));
        JsonNode before = api.get(model + "/optimizer/state-dict").body();
        HttpApi.Answer refused = api.put(model + "/optimizer/state-dict", Map.of("state", Map.of(), "param_groups", List.of()));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("detail").stringValue()).contains("loaded state dict has a different number of parameter groups");
        assertThat(api.get(model + "/optimizer/state-dict").body()).isEqualTo(before);
    }

    @Test
    void eachStepRecordsItsUpdateRatioAndANewOptimizerForgetsIt() {
        String model = "/models/" + api.create(BadInputTest.NET);
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1)));
        api.get(model + "/stats").body().get("parameters").forEach(p -> assertThat(p.get("update_ratio").isNull()).isTrue());
        ok(api.post(model + "/backward", TRAIN_BODY));
        JsonNode before = api.get(model + "/state-dict").body();
        assertThat(ok(api.send("POST", model + "/step", null, null, null)).body().get("step_count").intValue()).isEqualTo(1);
        JsonNode after = api.get(model + "/state-dict").body();
        for (JsonNode p : api.get(model + "/stats").body().get("parameters")) {
            String name = p.get("name").stringValue();
            double expected = TensorStats.updateRatio(Conformance.floats(before.get(name)), Conformance.floats(after.get(name)));
            assertThat(p.get("update_ratio").doubleValue()).as(name).isEqualTo(expected).isPositive();
        }
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1)));
        api.get(model + "/stats").body().get("parameters").forEach(p -> assertThat(p.get("update_ratio").isNull()).isTrue());
    }

    /** Everything a client can read back of the model and its optimizer. */
    private List<JsonNode> readable(String model) {
        return List.of(api.get(model + "/state-dict").body(), api.get(model + "/parameters?include=data,grad").body(),
                api.get(model + "/optimizer/state-dict").body(), api.get(model + "/optimizer").body());
    }

    private static Map<String, Object> lossBody(JsonNode step) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input", step.get("input"));
        if (step.has("target")) body.put("target", step.get("target"));
        body.put("loss", step.get("loss"));
        return body;
    }

    private static HttpApi.Answer ok(HttpApi.Answer answer) {
        assertThat(answer.status()).as("status, answer " + answer.body()).isEqualTo(200);
        return answer;
    }

    private static void assertClose(String what, JsonNode expected, JsonNode actual) {
        assertThat(actual).as(what).isNotNull();
        double e = expected.doubleValue();
        double a = actual.doubleValue();
        if (!(Math.abs(e - a) <= ATOL + RTOL * Math.abs(e))) {
            fail(what + ": expected " + e + " but was " + a + " (rtol " + RTOL + ", atol " + ATOL + ")");
        }
    }

    /** PyTorch's value against ours: keys in order, ints exactly, floats and tensors within the tolerances. */
    private static void assertJson(String what, JsonNode expected, JsonNode actual) {
        assertThat(actual).as(what + " is missing").isNotNull();
        if (expected.isObject() && expected.has("dtype") && expected.has("shape")) {
            assertThat(actual.get("shape")).as(what + " shape").isEqualTo(expected.get("shape"));
            assertThat(actual.get("dtype")).as(what + " dtype").isEqualTo(expected.get("dtype"));
            List<Double> e = Conformance.flatten(expected.get("data"));
            List<Double> a = Conformance.flatten(actual.get("data"));
            assertThat(a).as(what + " elements").hasSameSizeAs(e);
            for (int i = 0; i < e.size(); i++) {
                if (!(Math.abs(e.get(i) - a.get(i)) <= ATOL + RTOL * Math.abs(e.get(i)))) {
                    fail(what + "[" + i + "]: expected " + e.get(i) + " but was " + a.get(i));
                }
            }
        } else if (expected.isObject()) {
            assertThat(actual.propertyNames()).as(what + " keys").containsExactlyElementsOf(expected.propertyNames());
            expected.properties().forEach(e -> assertJson(what + "." + e.getKey(), e.getValue(), actual.get(e.getKey())));
        } else if (expected.isArray()) {
            assertThat(actual.size()).as(what + " size").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertJson(what + "[" + i + "]", expected.get(i), actual.get(i));
            }
        } else if (expected.isIntegralNumber()) {
            assertThat(actual.isIntegralNumber()).as(what + " is a Python int: " + actual).isTrue();
            assertThat(actual.longValue()).as(what).isEqualTo(expected.longValue());
        } else if (expected.isNumber()) {
            assertThat(actual.isFloatingPointNumber()).as(what + " is a Python float: " + actual).isTrue();
            assertClose(what, expected, actual);
        } else {
            assertThat(actual).as(what).isEqualTo(expected);
        }
    }
}
