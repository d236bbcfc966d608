package io.paramlab.api;

import io.paramlab.store.ModelStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Checkpoints through HTTP (API.md, "Checkpoints"): take, read, restore, fork, diff, delete. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CheckpointHttpTest {
    static final String SPEC = """
            {"name": "ck", "seed": 5, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 3}, {"type": "BatchNorm1d", "num_features": 3},
              {"type": "Linear", "in_features": 3, "out_features": 1}]}}""";
    static final Map<String, Object> TRAIN = Map.of(
            "input", List.of(List.of(0.1, -0.2, 0.3, 0.4), List.of(0.5, 0.6, -0.7, 0.8), List.of(1, 0, 0, 1)),
            "target", List.of(List.of(1.0), List.of(0.0), List.of(0.5)), "loss", "mse");
    static final String INIT_FROM_GENERATOR = """
            {"rules": [{"layer_types": ["Linear"], "params": {"weight": {"type": "normal"}}}]}""";

    @LocalServerPort
    int port;
    @Autowired
    ModelStore store;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    @Test
    void checkpointsAreListedOldestFirstAndFoundByIdOrTagWithoutMovingTheVersion() {
        // unseeded: chunks are shared by content across models, and other tests checkpoint the seeded SPEC's values
        String model = "/models/" + api.create(SPEC.replace("\"seed\": 5, ", ""));
        long version = version(model);
        HttpApi.Answer first = api.post(model + "/checkpoints", Map.of("tag", "start", "message", "before training"));
        assertThat(first.status()).isEqualTo(201);
        String id = first.body().get("id").stringValue();
        assertThat(first.header("Location")).isEqualTo("/api/v1" + model + "/checkpoints/" + id);
        assertThat(first.body().get("tag").stringValue()).isEqualTo("start");
        assertThat(first.body().get("message").stringValue()).isEqualTo("before training");
        assertThat(first.body().get("model_version").longValue()).isEqualTo(version);
        assertThat(first.body().get("parameter_count").longValue()).isEqualTo(4 * 3 + 3 + 3 + 3 + 3 + 1);
        assertThat(first.body().get("bytes").longValue()).isPositive();
        assertThat(first.body().has("created_at")).isTrue();
        // nothing changed since: the second copies no bytes; no body at all is a checkpoint without tag or message
        HttpApi.Answer second = api.send("POST", model + "/checkpoints", null, null, null);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.body().get("bytes").longValue()).isZero();
        assertThat(second.body().get("tag").isNull()).isTrue();
        assertThat(version(model)).isEqualTo(version);

        List<String> listed = new ArrayList<>();
        ok(api.get(model + "/checkpoints")).body().forEach(c -> listed.add(c.get("id").stringValue()));
        assertThat(listed).containsExactly(id, second.body().get("id").stringValue());
        assertThat(ok(api.get(model + "/checkpoints/start")).body()).isEqualTo(first.body());
        assertThat(ok(api.get(model + "/checkpoints/" + id)).body()).isEqualTo(first.body());
        assertThat(api.get(model + "/checkpoints/nope").status()).isEqualTo(404);
        assertThat(api.get("/models/nope/checkpoints").status()).isEqualTo(404);
    }

    @Test
    void tagsAreUniqueAndNeitherLiveNorShapedLikeAnId() {
        String model = "/models/" + api.create(SPEC);
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "a")).status()).isEqualTo(201);
        HttpApi.Answer taken = api.post(model + "/checkpoints", Map.of("tag", "a"));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.contentType()).startsWith("application/problem+json");
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "live")).status()).isEqualTo(400);
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "123e4567-e89b-12d3-a456-426614174000")).status()).isEqualTo(400);
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "")).status()).isEqualTo(400);
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "x".repeat(101))).status()).isEqualTo(400);
        assertThat(api.post(model + "/checkpoints", Map.of("tag", "x".repeat(100))).status()).isEqualTo(201);
        assertThat(api.post(model + "/checkpoints", Map.of("label", "x")).status()).isEqualTo(400);
        // another model may use the same tag
        assertThat(api.post("/models/" + api.create(SPEC) + "/checkpoints", Map.of("tag", "a")).status()).isEqualTo(201);
    }

    @Test
    void aModelWithUninitializedLazyParametersCannotBeCheckpointed() {
        String model = "/models/" + api.create("{\"model\": {\"type\": \"LazyLinear\", \"out_features\": 2}}");
        assertThat(api.post(model + "/checkpoints", Map.of()).status()).isEqualTo(409);
        ok(api.post(model + "/forward", Map.of("input", List.of(List.of(1, 2, 3)))));
        assertThat(api.post(model + "/checkpoints", Map.of()).status()).isEqualTo(201);
    }

    @Test
    void aCheckpointsStateDictIsTheLiveOneOfItsTimeByteForByteInEveryFormat() {
        String model = "/models/" + api.create(ApiExamples.TIED);
        List<String> formats = List.of("json", "safetensors", "pt");
        Map<String, byte[]> live = new java.util.HashMap<>();
        formats.forEach(f -> live.put(f, okBytes(api.getBytes(model + "/state-dict?format=" + f, null))));
        byte[] copies = okBytes(api.getBytes(model + "/state-dict?format=safetensors&tied=copies", null));
        String c = ok(api.post(model + "/checkpoints", Map.of("tag", "t"))).body().get("id").stringValue();
        ok(api.patch(model + "/parameters/2.weight", Map.of("index", List.of(0, 0), "value", 100)));   // the live one moves on
        for (String f : formats) {
            HttpApi.Bytes stored = api.getBytes(model + "/checkpoints/t/state-dict?format=" + f, null);
            assertThat(okBytes(stored)).as(f).isEqualTo(live.get(f));
            assertThat(stored.header("ETag")).as(f).startsWith("\"" + c);
        }
        assertThat(okBytes(api.getBytes(model + "/checkpoints/t/state-dict", "application/octet-stream"))).isEqualTo(live.get("safetensors"));
        assertThat(okBytes(api.getBytes(model + "/checkpoints/t/state-dict?format=safetensors&tied=copies", null))).isEqualTo(copies);
        assertThat(api.getBytes(model + "/state-dict?format=pt", null).body()).isNotEqualTo(live.get("pt"));
        assertThat(api.getWithHeader(model + "/checkpoints/t/state-dict", "If-None-Match", "\"" + c + "\"").status()).isEqualTo(304);
    }

    @Test
    void aRestoreBringsBackValuesBuffersGeneratorOptimizerAndModeInOneVersionStep() {
        String model = "/models/" + api.create(SPEC);
        ok(api.put(model + "/optimizer", Map.of("type", "SGD", "lr", 0.1, "momentum", 0.9)));
        ok(api.post(model + "/train-step", TRAIN));
        JsonNode stateAt = ok(api.get(model + "/state-dict")).body();
        JsonNode optimizerAt = ok(api.get(model + "/optimizer/state-dict")).body();
        ok(api.post(model + "/checkpoints", Map.of("tag", "c")));
        // what the model's generator draws right after the checkpoint
        ok(api.post(model + "/init", INIT_FROM_GENERATOR));
        JsonNode drawn = ok(api.get(model + "/state-dict")).body();
        ok(api.post(model + "/train-step", TRAIN));
        ok(api.patch(model, Map.of("training", false)));
        ok(api.post(model + "/backward", TRAIN));
        JsonNode gradBefore = ok(api.get(model + "/parameters/0.weight")).body().get("grad");
        long version = version(model);

        HttpApi.Answer stale = api.postWith(model + "/checkpoints/c/restore", null, "If-Match", "\"" + (version - 1) + "\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(version(model)).isEqualTo(version);

        HttpApi.Answer restored = api.postWith(model + "/checkpoints/c/restore", null, "If-Match", "\"" + version + "\"");
        assertThat(restored.status()).isEqualTo(200);
        assertThat(restored.body().get("version").longValue()).isEqualTo(version + 1);
        assertThat(restored.header("ETag")).isEqualTo("\"" + (version + 1) + "\"");
        assertThat(restored.body().get("training").booleanValue()).isTrue();
        assertThat(ok(api.get(model + "/state-dict")).body()).isEqualTo(stateAt);
        assertThat(ok(api.get(model + "/optimizer/state-dict")).body()).isEqualTo(optimizerAt);
        assertThat(ok(api.get(model + "/parameters/0.weight")).body().get("grad")).isEqualTo(gradBefore);   // gradients untouched
        assertThat(ok(api.get(model + "/history?limit=1")).body().get(0).get("operation").stringValue()).isEqualTo("checkpoint.restore");
        // the generator is the checkpoint's: the same init draws the same values again
        ok(api.post(model + "/init", INIT_FROM_GENERATOR));
        assertThat(ok(api.get(model + "/state-dict")).body()).isEqualTo(drawn);
        assertThat(api.send("POST", model + "/checkpoints/nope/restore", null, null, null).status()).isEqualTo(404);
    }

    @Test
    void aForkIsANewModelWithTheCheckpointsStateAndAHistoryOfItsOwn() {
        String model = "/models/" + api.create(SPEC);
        ok(api.put(model + "/optimizer", Map.of("type", "Adam", "lr", 0.01)));
        ok(api.post(model + "/train-step", TRAIN));
        String c = ok(api.post(model + "/checkpoints", Map.of("tag", "fork-me"))).body().get("id").stringValue();
        long modelsBefore = store.count();
        HttpApi.Answer fork = api.post(model + "/checkpoints/fork-me/fork", Map.of("name", "forked"));
        assertThat(fork.status()).isEqualTo(201);
        String forkId = fork.body().get("id").stringValue();
        assertThat(forkId).isNotEqualTo(model.substring("/models/".length()));
        assertThat(fork.header("Location")).isEqualTo("/api/v1/models/" + forkId);
        assertThat(fork.body().get("name").stringValue()).isEqualTo("forked");
        assertThat(fork.body().get("version").longValue()).isEqualTo(1);
        assertThat(store.count()).isEqualTo(modelsBefore + 1);
        JsonNode checkpointState = ok(api.get(model + "/checkpoints/" + c + "/state-dict")).body();
        assertThat(ok(api.get("/models/" + forkId + "/state-dict")).body()).isEqualTo(checkpointState);
        assertThat(ok(api.get("/models/" + forkId + "/optimizer/state-dict")).body())
                .isEqualTo(ok(api.get(model + "/optimizer/state-dict")).body());
        JsonNode history = ok(api.get("/models/" + forkId + "/history")).body();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("operation").stringValue()).isEqualTo("create");
        // the original moves on; its diff against the checkpoint shows the changed key, the fork's is untouched
        ok(api.patch(model + "/parameters/2.weight", Map.of("index", List.of(0, 1), "value", 7)));
        JsonNode diff = ok(api.get(model + "/diff?from=fork-me&to=live")).body();
        for (JsonNode entry : diff) {
            assertThat(entry.get("changed_elements").longValue()).as(entry.get("key").stringValue())
                    .isEqualTo(entry.get("key").stringValue().equals("2.weight") ? 1 : 0);
        }
        assertThat(ok(api.get("/models/" + forkId + "/state-dict")).body()).isEqualTo(checkpointState);
        // without a name the fork keeps the model's
        assertThat(ok(api.send("POST", model + "/checkpoints/fork-me/fork", null, null, null)).body().get("name").stringValue()).isEqualTo("ck");
    }

    @Test
    void aDiffGivesPerKeyNumbersInStateDictOrder() {
        String model = "/models/" + api.create(SPEC);
        ok(api.post(model + "/checkpoints", Map.of("tag", "a")));
        JsonNode before = ok(api.get(model + "/state-dict")).body();
        double w00 = before.get("0.weight").get("data").get(0).get(0).doubleValue();
        ok(api.patch(model + "/parameters/0.weight", Map.of("index", List.of(0, 0), "value", w00 + 3)));
        ok(api.post(model + "/checkpoints", Map.of("tag", "b")));

        JsonNode diff = ok(api.get(model + "/diff?from=a&to=b")).body();
        List<String> keys = new ArrayList<>();
        diff.forEach(e -> keys.add(e.get("key").stringValue()));
        assertThat(keys).containsExactlyElementsOf(before.propertyNames());
        JsonNode weight = diff.get(0);
        assertThat(weight.get("shape").toString()).isEqualTo("[3,4]");
        assertThat(weight.get("changed_elements").longValue()).isEqualTo(1);
        float expected = (float) (w00 + 3) - (float) w00;
        assertThat(weight.get("max_abs_diff").doubleValue()).isCloseTo(expected, within(1e-6));
        assertThat(weight.get("l2_diff").doubleValue()).isCloseTo(expected, within(1e-6));
        assertThat(weight.get("relative_l2").doubleValue()).isCloseTo(expected / norm(before.get("0.weight").get("data")), within(1e-6));
        // the running_var's ones stay; a zero running_mean has no relative change
        JsonNode mean = diff.get(keys.indexOf("1.running_mean"));
        assertThat(mean.get("changed_elements").longValue()).isZero();
        assertThat(mean.get("relative_l2").isNull()).isTrue();
        // reversed, the same distance; B = live is b
        assertThat(ok(api.get(model + "/diff?from=b&to=a")).body().get(0).get("l2_diff").doubleValue()).isCloseTo(expected, within(1e-6));
        assertThat(ok(api.get(model + "/diff?from=live&to=b")).body().get(0).get("changed_elements").longValue()).isZero();
        assertThat(api.get(model + "/diff?from=a&to=nope").status()).isEqualTo(404);
        assertThat(api.get(model + "/diff?from=a").status()).isEqualTo(400);
    }

    @Test
    void deletingACheckpointKeepsTheVersionAndDeletingTheModelDeletesItsCheckpoints() {
        String id = api.create(SPEC);
        String model = "/models/" + id;
        long version = version(model);
        ok(api.post(model + "/checkpoints", Map.of("tag", "gone")));
        ok(api.post(model + "/checkpoints", Map.of("tag", "kept")));
        assertThat(api.delete(model + "/checkpoints/gone").status()).isEqualTo(204);
        assertThat(api.get(model + "/checkpoints/gone").status()).isEqualTo(404);
        assertThat(api.delete(model + "/checkpoints/gone").status()).isEqualTo(404);
        assertThat(version(model)).isEqualTo(version);
        assertThat(store.listCheckpoints(id)).hasSize(1);
        assertThat(api.delete(model).status()).isEqualTo(204);
        assertThat(store.listCheckpoints(id)).isEmpty();
        assertThat(api.get(model + "/checkpoints").status()).isEqualTo(404);
    }

    private long version(String model) {
        return ok(api.get(model)).body().get("version").longValue();
    }

    private static double norm(JsonNode nested) {
        double sum = 0;
        for (double x : Conformance.flatten(nested)) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    static HttpApi.Answer ok(HttpApi.Answer answer) {
        assertThat(answer.status()).as(String.valueOf(answer.body())).isBetween(200, 299);
        return answer;
    }

    private static byte[] okBytes(HttpApi.Bytes answer) {
        assertThat(answer.status()).as(new String(answer.body())).isEqualTo(200);
        return answer.body();
    }
}
