package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Sequence models over HTTP: a character-level LSTM language model and a tiny transformer trained
 * by jobs on a Debian text give PyTorch's losses step for step and its final state (numbers from
 * {@code src/test/resources/sequence/make_char_lm.py} and {@code make_char_gpt.py}); token ids as int64 inputs; attention's
 * T x T scores charged to the activation budget (a 413 naming the limit).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"paramlab.limits.max-dataset-elements=100000", "paramlab.limits.max-activation-elements=1000000"})
class SequenceModelsHttpTest {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;

    @LocalServerPort
    int port;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    static JsonNode resource(String name) throws Exception {
        try (InputStream in = SequenceModelsHttpTest.class.getResourceAsStream("/sequence/" + name)) {
            return HttpApi.JSON.readTree(in);
        }
    }

    @Test
    void aCharacterLevelLstmLanguageModelTrainedByAJobGivesPyTorchsLosses() throws Exception {
        String model = trainsAsPyTorch(resource("char_lm_job.json"));
        JsonNode c = resource("char_lm_job.json");
        // the trained model predicts the next character by forward calls on int64 token ids
        status(200, api.patch(model, Map.of("training", false)));
        JsonNode out = status(200, api.post(model + "/forward",
                Map.of("input", Map.of("shape", List.of(1, 3), "dtype", "int64", "data", List.of(1, 2, 3))))).body().get("output");
        assertThat(out.get("shape")).isEqualTo(HttpApi.JSON.valueToTree(List.of(1, c.get("vocab").stringValue().length(), 3)));
        // an index past the vocabulary is PyTorch's IndexError
        HttpApi.Answer bad = api.post(model + "/forward", Map.of("input", Map.of("shape", List.of(1, 1), "dtype", "int64",
                "data", List.of(c.get("vocab").stringValue().length()))));
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.body().toString()).contains("index out of range in self");
    }

    /** A tiny transformer: token embedding, a position parameter, a pre-norm encoder layer under a causal bool mask buffer. */
    @Test
    void aTinyCharacterLevelTransformerTrainedByAJobGivesPyTorchsLosses() throws Exception {
        String model = trainsAsPyTorch(resource("char_gpt_job.json"));
        // the spec echo gives the stack with its layer node; stats read the bool mask buffer as 0 and 1
        JsonNode info = status(200, api.get(model)).body();
        assertThat(info.get("spec").get("model").get("modules").get(1).get("encoder_layer").get("type").stringValue())
                .isEqualTo("TransformerEncoderLayer");
        JsonNode stats = status(200, api.get(model + "/stats")).body();
        assertThat(stats.toString()).contains("mask");
    }

    /** Creates the case's model, loads PyTorch's initial state, runs the job and compares losses and the final state. */
    private String trainsAsPyTorch(JsonNode c) {
        String model = "/models/" + api.create(c.get("create"));
        status(200, api.put(model + "/state-dict", c.get("state_dict")));
        status(200, api.put(model + "/optimizer", c.get("optimizer")));
        Map<String, Object> body = new LinkedHashMap<>(HttpApi.JSON.convertValue(c.get("job"), Map.class));
        body.put("data", c.get("data"));
        String job = status(202, api.post(model + "/jobs", body)).body().get("id").stringValue();
        JsonNode done = awaitEnd(job);
        assertThat(done.get("status").stringValue()).as(done.toString()).isEqualTo("succeeded");
        JsonNode history = status(200, api.get("/jobs/" + job + "/history")).body();
        assertSeries("step_loss", c.get("expect").get("step_loss"), history.get("step_loss"));
        assertSeries("epoch_loss", c.get("expect").get("epoch_loss"), history.get("epoch_loss"));
        JsonNode state = status(200, api.get(model + "/state-dict")).body();
        c.get("expect").get("state_dict").properties().forEach(e -> {
            List<Double> expected = Conformance.flatten(e.getValue().get("data"));
            List<Double> actual = Conformance.flatten(state.get(e.getKey()).get("data"));
            if (e.getKey().endsWith("in_proj_bias")) {
                // the key bias adds the same q.b_k to every score of a query, which softmax removes: its gradient is
                // float32 rounding noise (0 in float64), and Adam turns noise of either sign into steps of up to
                // lr * |g| / eps. Both stay near 0; the query and value biases are compared as everything else.
                int d = expected.size() / 3;
                for (int i = d; i < 2 * d; i++) {
                    assertThat(Math.abs(actual.get(i))).as(e.getKey() + "[" + i + "] (key bias)").isLessThan(2e-3);
                    assertThat(Math.abs(expected.get(i))).isLessThan(2e-3);
                    actual.set(i, expected.get(i));
                }
            }
            assertSeries(e.getKey(), HttpApi.JSON.valueToTree(expected), HttpApi.JSON.valueToTree(actual));
        });
        return model;
    }

    /**
     * Init rules by layer_types on the sequence layers, against PyTorch (numbers from
     * {@code src/test/resources/sequence/make_init_rules.py}: Debian's PyTorch 1.13 building the model after
     * manual_seed(0), then manual_seed(5) and each rule as {@code net[module].apply(fn)}): xavier_uniform_ on every
     * LSTM and GRU weight and zeros_ on their biases, normal_(std=0.02) on the Embedding, xavier_uniform_ on
     * MultiheadAttention's packed in_proj_weight, kaiming_uniform_ on every Linear as isinstance finds them
     * (attention's out_proj by its class name NonDynamicallyQuantizableLinear), uniform_ on one layer's LayerNorms.
     */
    @Test
    void initRulesByLayerTypesOnSequenceLayersDrawAsPyTorch() throws Exception {
        JsonNode c = resource("init_rules.json");
        String model = "/models/" + api.create(c.get("create"));
        JsonNode initialized = status(200, api.post(model + "/init", c.get("init"))).body().get("initialized");
        assertThat(initialized.toString()).contains("rnn.weight_hh_l1", "gru.weight_ih_l0", "embed.weight",
                "enc.self_attn.in_proj_weight", "enc.self_attn.out_proj.weight", "head.weight", "enc.norm2.weight");
        JsonNode state = status(200, api.get(model + "/state-dict")).body();
        assertThat(HttpApi.JSON.convertValue(state, Map.class).keySet())
                .containsExactlyElementsOf(HttpApi.JSON.convertValue(c.get("state_dict"), Map.class).keySet());
        c.get("state_dict").properties().forEach(e -> {
            List<Double> expected = Conformance.flatten(e.getValue().get("data"));
            List<Double> actual = Conformance.flatten(state.get(e.getKey()).get("data"));
            assertThat(actual).as(e.getKey()).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                // uniform draws are bit-exact; normal draws agree to float rounding
                assertThat(actual.get(i)).as(e.getKey() + "[" + i + "]").isCloseTo(expected.get(i),
                        org.assertj.core.data.Offset.offset(1e-7 + 1e-6 * Math.abs(expected.get(i))));
            }
        });
    }

    @Test
    void attentionScoresOverTheActivationBudgetAre413NamingTheLimit() {
        String model = "/models/" + api.create(HttpApi.JSON.valueToTree(Map.of("model",
                Map.of("type", "MultiheadAttention", "embed_dim", 2, "num_heads", 1))));
        int t = 1100;   // scores T x T = 1,210,000 floats > 1,000,000
        List<List<List<Double>>> x = new java.util.ArrayList<>();
        for (int i = 0; i < t; i++) x.add(List.of(List.of(0.5, -0.25)));
        HttpApi.Answer answer = api.post(model + "/forward", Map.of("inputs", List.of(x, x, x)));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(413);
        assertThat(answer.body().toString()).contains("max-activation-elements");
        HttpApi.Answer small = api.post(model + "/forward", Map.of("inputs", List.of(x.subList(0, 10), x.subList(0, 10), x.subList(0, 10))));
        assertThat(small.status()).as(small.body().toString()).isEqualTo(200);
        assertThat(small.body().get("output").size()).isEqualTo(2);   // (attn_output, attn_weights)
    }

    private JsonNode awaitEnd(String job) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode j = status(200, api.get("/jobs/" + job)).body();
            if (!List.of("queued", "running").contains(j.get("status").stringValue())) {
                return j;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return fail("job " + job + " did not end: " + api.get("/jobs/" + job).body());
    }

    private static HttpApi.Answer status(int expected, HttpApi.Answer answer) {
        assertThat(answer.status()).as("status, answer " + answer.body()).isEqualTo(expected);
        return answer;
    }

    private static void assertSeries(String what, JsonNode expected, JsonNode actual) {
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.size()).as(what + " size").isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            double a = actual.get(i).doubleValue();
            if (!(Math.abs(e - a) <= ATOL + RTOL * Math.abs(e))) {
                fail(what + "[" + i + "]: expected " + e + " but was " + a + " (rtol " + RTOL + ", atol " + ATOL + ")");
            }
        }
    }
}
