package io.paramlab.api;

import io.paramlab.store.StateDictStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * State dicts without a model over HTTP (API.md, "State dicts without a model"), with files made by
 * PyTorch 1.13 and safetensors (scripts/make_statedict_files.py, which also computed expected.json in float64).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "paramlab.limits.max-state-dict-bytes=1MB")
class StoredStateDictHttpTest {
    static final String OCTET = "application/octet-stream";
    static final JsonNode EXPECTED = HttpApi.JSON.readTree(resource("expected.json"));

    @LocalServerPort
    int port;
    @Autowired
    StateDictStore store;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    static byte[] resource(String name) {
        try (InputStream in = StoredStateDictHttpTest.class.getResourceAsStream("/statedicts/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("no test resource " + name, e);
        }
    }

    String upload(String file, String query) {
        HttpApi.Answer answer = api.postBytes("/state-dicts" + query, OCTET, resource(file));
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
        assertThat(answer.header("Location")).isEqualTo("/api/v1/state-dicts/" + answer.body().get("id").stringValue());
        return answer.body().get("id").stringValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtypes.safetensors", "dtypes.pt"})
    void everyDtypeIsKeptAndReadExactlyInItsOwnDtype(String file) {
        String id = upload(file, "?name=dtypes");
        JsonNode summary = api.get("/state-dicts/" + id).body();
        assertThat(summary.get("name").stringValue()).isEqualTo("dtypes");
        assertThat(summary.get("source").stringValue()).isEqualTo("upload");
        assertThat(summary.get("owner").stringValue()).isEqualTo("anonymous");
        assertThat(summary.get("version").longValue()).isEqualTo(1);
        Map<String, JsonNode> rows = new java.util.LinkedHashMap<>();
        summary.get("tensors").forEach(t -> rows.put(t.get("key").stringValue(), t));
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(keys(EXPECTED.get("dtypes")));
        long elements = 0;
        for (Map.Entry<String, JsonNode> e : EXPECTED.get("dtypes").properties()) {
            JsonNode row = rows.get(e.getKey());
            assertThat(row.get("dtype").stringValue()).as(e.getKey()).isEqualTo(e.getValue().get("dtype").stringValue());
            assertThat(row.get("shape")).as(e.getKey()).isEqualTo(e.getValue().get("shape"));
            JsonNode read = api.get("/state-dicts/" + id + "/tensors/" + e.getKey()).body();
            assertThat(read.get("dtype").stringValue()).isEqualTo(e.getValue().get("dtype").stringValue());
            assertSameValues(e.getKey(), read, e.getValue().get("values"));
            if (row.get("tied_to").isNull()) {
                elements += row.get("numel").longValue();
            }
        }
        // the tie: one storage under enc.weight and dec.weight; safetensors kept dec.weight and aliased enc.weight
        String kept = file.endsWith(".pt") ? "enc.weight" : "dec.weight";
        String alias = file.endsWith(".pt") ? "dec.weight" : "enc.weight";
        assertThat(rows.get(alias).get("tied_to").stringValue()).isEqualTo(kept);
        assertThat(rows.get(kept).get("tied_to").isNull()).isTrue();
        assertThat(summary.get("tensor_count").intValue()).isEqualTo(rows.size());
        assertThat(summary.get("parameter_count").longValue()).isEqualTo(elements);
        assertThat(summary.get("dtypes").get("bfloat16").longValue()).isEqualTo(12);
        assertThat(summary.get("dtypes").get("float32").longValue()).isEqualTo(24 + 12 + 3 + 3);
        assertThat(summary.get("bytes").longValue()).isEqualTo(24 * 4 + 24 * 8 + 15 * 2 + 12 * 2 + 13 * 8 + 6 * 4 + 5 + 4 + 6 + 18 * 4);
        // modules implied by the keys, in order of first appearance; the tie counted once under the root
        Map<String, JsonNode> modules = new java.util.LinkedHashMap<>();
        summary.get("modules").forEach(m -> modules.put(m.get("path").stringValue(), m));
        assertThat(modules.keySet()).containsExactlyInAnyOrder("", "dt", "enc", "dec");
        assertThat(modules.get("").get("tensor_count").intValue()).isEqualTo(rows.size());
        assertThat(modules.get("").get("parameter_count").longValue()).isEqualTo(elements);
        assertThat(modules.get("dec").get("parameter_count").longValue()).isEqualTo(15);
        assertThat(modules.get("dt").get("tensor_count").intValue()).isEqualTo(10);
    }

    /**
     * Values exactly as PyTorch holds them: float32 answers print float32's shortest form, so they are
     * compared as float32; every other dtype prints its exact value (float16 and bfloat16 as float64).
     */
    static void assertSameValues(String key, JsonNode tensor, JsonNode expected) {
        if (!"float32".equals(tensor.get("dtype").stringValue())) {
            assertThat(tensor.get("data")).as(key).isEqualTo(expected);
            return;
        }
        List<Double> got = new ArrayList<>();
        List<Double> want = new ArrayList<>();
        flatten(tensor.get("data"), got);
        flatten(expected, want);
        assertThat(got).as(key).hasSameSizeAs(want);
        for (int i = 0; i < got.size(); i++) {
            assertThat(Float.floatToIntBits((float) (double) got.get(i))).as(key + "[" + i + "]")
                    .isEqualTo(Float.floatToIntBits((float) (double) want.get(i)));
        }
    }

    static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
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

    static List<String> keys(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.propertyNames().forEach(out::add);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtypes.safetensors", "dtypes.pt"})
    void bothDownloadsGiveBackEveryValueBitForBit(String file) throws Exception {
        String id = upload(file, "");
        HttpApi.Bytes safetensors = api.getBytes("/state-dicts/" + id + "?format=safetensors", null);
        assertThat(safetensors.status()).isEqualTo(200);
        assertThat(safetensors.header("Content-Disposition")).contains("attachment");
        if (file.endsWith(".safetensors")) {
            assertThat(safetensors.body()).as("a safetensors upload comes back byte for byte").isEqualTo(resource(file));
        }
        HttpApi.Bytes pt = api.getBytes("/state-dicts/" + id + "?format=pt", null);
        assertThat(pt.status()).isEqualTo(200);
        // the two downloads, uploaded again, read as the first one did
        for (byte[] again : List.of(safetensors.body(), pt.body())) {
            HttpApi.Answer answer = api.postBytes("/state-dicts", OCTET, again);
            assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
            String copy = answer.body().get("id").stringValue();
            for (Map.Entry<String, JsonNode> e : EXPECTED.get("dtypes").properties()) {
                assertSameValues(e.getKey(), api.get("/state-dicts/" + copy + "/tensors/" + e.getKey()).body(), e.getValue().get("values"));
            }
        }
        checkWithPyTorch(safetensors.body(), pt.body());
    }

    /** torch.load(weights_only=True) and safetensors' load_file read both downloads, every key bit for bit, ties as one storage. */
    static void checkWithPyTorch(byte[] safetensors, byte[] pt) throws Exception {
        Path dir = Files.createTempDirectory("statedict-check");
        Files.write(dir.resolve("a.safetensors"), safetensors);
        Files.write(dir.resolve("a.pt"), pt);
        Path safetensorsLib = Path.of(System.getProperty("java.io.tmpdir"), "st", "lib");
        String script = """
                import sys, torch
                a = torch.load(sys.argv[1] + '/a.pt', weights_only=True)
                for k, v in a.items():
                    print(k, v.dtype, tuple(v.shape), v.view(-1).view(torch.uint8).tolist() if v.numel() else [])
                print('tied', a['enc.weight'].data_ptr() == a['dec.weight'].data_ptr())
                try:
                    from safetensors.torch import load_file
                    b = load_file(sys.argv[1] + '/a.safetensors')
                    print('safetensors', all(torch.equal(b[k].view(-1).view(torch.uint8), a[k].view(-1).view(torch.uint8))
                                             for k in b), len(b))
                except ImportError:
                    print('safetensors', 'absent')
                """;
        if (!Files.exists(Path.of("/usr/bin/python3"))) {
            return;
        }
        ProcessBuilder python = new ProcessBuilder("/usr/bin/python3", "-c", script, dir.toString()).redirectErrorStream(true);
        python.environment().put("PYTHONPATH", safetensorsLib.toString());
        Process process = python.start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(out).isZero();
        assertThat(out).contains("tied True").doesNotContain("safetensors False");
    }

    @Test
    void viewsOfSharedStoragesAreGatheredAndIdenticalViewsTied() {
        String id = upload("views.pt", "");
        for (Map.Entry<String, JsonNode> e : EXPECTED.get("views").properties()) {
            assertSameValues(e.getKey(), api.get("/state-dicts/" + id + "/tensors/" + e.getKey()).body(), e.getValue());
        }
        JsonNode tensors = api.get("/state-dicts/" + id).body().get("tensors");
        assertThat(tensors.get(4).get("key").stringValue()).isEqualTo("again");
        assertThat(tensors.get(4).get("tied_to").stringValue()).isEqualTo("whole");
        assertThat(tensors.get(1).get("tied_to").isNull()).isTrue();   // a view of the same storage, not the same tensor
    }

    @Test
    void aGeneralCheckpointIsReadByItsKey() {
        String id = upload("checkpoint.pt", "?key=model_state_dict");
        for (Map.Entry<String, JsonNode> e : EXPECTED.get("checkpoint").properties()) {
            JsonNode read = api.get("/state-dicts/" + id + "/tensors/" + e.getKey()).body();
            assertThat(read.get("dtype").stringValue()).isEqualTo(e.getValue().get("dtype").stringValue());
            assertSameValues(e.getKey(), read, e.getValue().get("values"));
        }
        HttpApi.Answer whole = api.postBytes("/state-dicts", OCTET, resource("checkpoint.pt"));
        assertThat(whole.status()).isEqualTo(400);
        assertThat(whole.body().get("detail").stringValue()).contains("?key=");
    }

    @Test
    void slicesAreNumpyBasicIndexing() {
        String id = upload("views.pt", "");
        String whole = "/state-dicts/" + id + "/tensors/whole";   // arange(24).reshape(4, 6)
        assertThat(api.get(whole + "?slice=1:3,::2").body().get("data").toString()).isEqualTo("[[6.0,8.0,10.0],[12.0,14.0,16.0]]");
        assertThat(api.get(whole + "?slice=-1").body().get("data").toString()).isEqualTo("[18.0,19.0,20.0,21.0,22.0,23.0]");
        assertThat(api.get(whole + "?slice=:,-2").body().get("shape").toString()).isEqualTo("[4]");
        assertThat(api.get(whole + "?slice=2,3").body().get("data").doubleValue()).isEqualTo(15.0);
        assertThat(api.get(whole + "?slice=10:,:").body().get("shape").toString()).isEqualTo("[0,6]");
        assertThat(api.get(whole + "?slice=0:4:0").status()).isEqualTo(400);
        assertThat(api.get(whole + "?slice=4").status()).isEqualTo(400);
        assertThat(api.get(whole + "?slice=0,0,0").status()).isEqualTo(400);
        assertThat(api.get("/state-dicts/" + id + "/tensors/nope").status()).isEqualTo(404);
    }

    @Test
    void statisticsAreFloat64AsPyTorchComputesThem() {
        String id = upload("dtypes.safetensors", "");
        JsonNode answer = api.get("/state-dicts/" + id + "/stats?bins=" + EXPECTED.get("bins").intValue()).body();
        List<String> seen = new ArrayList<>();
        for (JsonNode row : answer.get("tensors")) {
            String key = row.get("key").stringValue();
            seen.add(key);
            JsonNode want = EXPECTED.get("dtypes").get(key).get("stats");
            JsonNode got = row.get("data");
            assertThat(got.get("nan_count").longValue()).as(key).isEqualTo(want.get("nan_count").longValue());
            assertThat(got.get("inf_count").longValue()).as(key).isEqualTo(want.get("inf_count").longValue());
            assertThat(got.get("zero_fraction").doubleValue()).as(key).isCloseTo(want.get("zero_fraction").doubleValue(), within(1e-15));
            for (String field : List.of("mean", "min", "max", "l2_norm")) {
                assertThat(got.get(field).doubleValue()).as(key + " " + field)
                        .isCloseTo(want.get(field).doubleValue(), within(1e-12 * Math.max(1, Math.abs(want.get(field).doubleValue()))));
            }
            if (want.get("std").isNumber()) {
                assertThat(got.get("std").doubleValue()).as(key + " std").isCloseTo(want.get("std").doubleValue(),
                        within(1e-12 * Math.max(1, want.get("std").doubleValue())));
            }
            assertThat(got.get("histogram").get("counts")).as(key).isEqualTo(want.get("histogram").get("counts"));
        }
        assertThat(seen).contains("dt.f32", "dt.bf16", "dt.mask", "dt.scalar");
        JsonNode dt = api.get("/state-dicts/" + id + "/stats?prefix=dt").body().get("tensors");
        assertThat(dt.size()).isEqualTo(10);
        assertThat(api.get("/state-dicts/" + id + "/stats?bins=0").status()).isEqualTo(400);
    }

    @Test
    void aDiffListsKeysOnOneSideMismatchesAndFloat64Rows() {
        String base = upload("base.safetensors", "?name=base");
        String tuned = upload("tuned.safetensors", "?name=tuned");
        HttpApi.Answer answer = api.get("/state-dicts/diff?from=" + base + "&to=" + tuned);
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(200);
        JsonNode want = EXPECTED.get("diff");
        assertThat(answer.body().get("only_in_from")).isEqualTo(want.get("only_in_from"));
        assertThat(answer.body().get("only_in_to")).isEqualTo(want.get("only_in_to"));
        List<String> mismatched = new ArrayList<>();
        answer.body().get("mismatched").forEach(m -> mismatched.add(m.get("key").stringValue()));
        // in A's file order: a safetensors header's order, which save_file sorts
        assertThat(mismatched).containsExactlyInAnyOrderElementsOf(HttpApi.JSON.convertValue(want.get("mismatched"), List.class));
        Map<String, JsonNode> rows = new java.util.LinkedHashMap<>();
        answer.body().get("keys").forEach(r -> rows.put(r.get("key").stringValue(), r));
        assertThat(rows.size()).isEqualTo(want.get("keys").size());
        for (JsonNode exp : want.get("keys")) {
            JsonNode got = rows.get(exp.get("key").stringValue());
            assertThat(got).as(exp.get("key").stringValue()).isNotNull();
            assertThat(got.get("changed_elements").longValue()).as(exp.get("key").stringValue()).isEqualTo(exp.get("changed_elements").longValue());
            for (String field : List.of("max_abs_diff", "l2_diff", "relative_l2")) {
                if (exp.get(field).isNull()) {
                    assertThat(got.get(field).isNull()).isTrue();
                } else {
                    assertThat(got.get(field).doubleValue()).as(exp.get("key") + " " + field)
                            .isCloseTo(exp.get(field).doubleValue(), within(1e-12));
                }
            }
        }
        assertThat(api.get("/state-dicts/diff?from=" + base + "&to=nope").status()).isEqualTo(404);
    }

    /**
     * int64 values compare as int64, not through float64 (where 2^53 + 1 rounds to 2^53): three of five elements
     * differ, as {@code torch.equal} (False) and {@code (a != b).sum()} (3) say, while B − A in float64 is 0 everywhere.
     * Numbers by PyTorch 1.13: {@code a = torch.tensor([2**53, -2**63, 2**63-1, 7, 2**53+1])}, {@code b = torch.tensor(
     * [2**53+1, -2**63+1, 2**63-1, 7, 2**53])}; {@code d = b.double() - a.double()}: {@code d.abs().max()} 0.0,
     * {@code d.norm()} 0.0, {@code d.norm() / a.double().norm()} 0.0.
     */
    @Test
    void int64ValuesPast2To53AreComparedAsInt64InADiff() {
        long p53 = 1L << 53;
        String a = uploadBytes(int64Safetensors(p53, Long.MIN_VALUE, Long.MAX_VALUE, 7, p53 + 1));
        String b = uploadBytes(int64Safetensors(p53 + 1, Long.MIN_VALUE + 1, Long.MAX_VALUE, 7, p53));
        JsonNode row = diffRow(a, b);
        assertThat(row.get("changed_elements").longValue()).as("%s", row).isEqualTo(3);
        assertThat(row.get("max_abs_diff").doubleValue()).isEqualTo(0.0);
        assertThat(row.get("l2_diff").doubleValue()).isEqualTo(0.0);
        assertThat(row.get("relative_l2").doubleValue()).isEqualTo(0.0);
        assertThat(diffRow(a, a).get("changed_elements").longValue()).isZero();
        assertThat(diffRow(b, uploadBytes(int64Safetensors(p53 + 1, Long.MIN_VALUE + 1, Long.MAX_VALUE, 7, p53)))
                .get("changed_elements").longValue()).isZero();
    }

    private String uploadBytes(byte[] file) {
        HttpApi.Answer answer = api.postBytes("/state-dicts", OCTET, file);
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
        return answer.body().get("id").stringValue();
    }

    private JsonNode diffRow(String from, String to) {
        HttpApi.Answer answer = api.get("/state-dicts/diff?from=" + from + "&to=" + to);
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(200);
        assertThat(answer.body().get("keys").size()).isEqualTo(1);
        return answer.body().get("keys").get(0);
    }

    /** A safetensors file of one int64 tensor "n", as {@code safetensors.torch.save({"n": tensor})} writes it. */
    static byte[] int64Safetensors(long... values) {
        byte[] header = ("{\"n\":{\"dtype\":\"I64\",\"shape\":[" + values.length + "],\"data_offsets\":[0,"
                + values.length * 8 + "]}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + padded + values.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (long v : values) {
            out.putLong(v);
        }
        return out.array();
    }

    @Test
    void aModelsStateDictIsKeptLoadedBackAndDiffedAgainstTheModel() {
        String model = api.create("""
                {"name": "m", "seed": 3, "model": {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 3, "out_features": 4}, {"type": "BatchNorm1d", "num_features": 4}]}}""");
        HttpApi.Answer kept = api.postWith("/state-dicts?from=model:" + model + "&name=kept", null);
        assertThat(kept.status()).as("%s", kept.body()).isEqualTo(201);
        String sid = kept.body().get("id").stringValue();
        assertThat(kept.body().get("source").stringValue()).isEqualTo("model:" + model);
        assertThat(kept.body().get("dtypes").get("int64").longValue()).isEqualTo(1);   // num_batches_tracked
        JsonNode same = api.get("/state-dicts/diff?from=" + sid + "&to=model:" + model).body();
        same.get("keys").forEach(row -> assertThat(row.get("changed_elements").longValue()).isZero());
        // change the model, then load the kept state dict back: every rule of a load
        assertThat(api.patch("/models/" + model + "/parameters/0.weight", Map.of("index", List.of(0, 0), "value", 100)).status())
                .isEqualTo(200);
        JsonNode moved = api.get("/state-dicts/diff?from=" + sid + "&to=model:" + model).body();
        assertThat(moved.get("keys").get(0).get("changed_elements").longValue()).isEqualTo(1);
        HttpApi.Answer load = api.sendWith("PUT", "/models/" + model + "/state-dict?from=state-dict:" + sid, null);
        assertThat(load.status()).as("%s", load.body()).isEqualTo(200);
        assertThat(load.body().get("missing_keys").size()).isZero();
        JsonNode back = api.get("/state-dicts/diff?from=" + sid + "&to=model:" + model).body();
        back.get("keys").forEach(row -> assertThat(row.get("changed_elements").longValue()).isZero());
        // a state dict of other keys: strict refuses with 422 and loads nothing; int8 cannot be loaded
        String other = upload("base.safetensors", "");
        assertThat(api.sendWith("PUT", "/models/" + model + "/state-dict?from=state-dict:" + other, null).status()).isEqualTo(422);
        HttpApi.Answer loose = api.sendWith("PUT", "/models/" + model + "/state-dict?strict=false&from=state-dict:" + other, null);
        assertThat(loose.status()).isEqualTo(200);
        assertThat(loose.body().get("unexpected_keys").size()).isEqualTo(5);
        String dtypes = upload("dtypes.pt", "");
        assertThat(api.sendWith("PUT", "/models/" + model + "/state-dict?strict=false&from=state-dict:" + dtypes, null).status())
                .isEqualTo(400);
        assertThat(api.sendWith("PUT", "/models/" + model + "/state-dict?from=state-dict:nope", null).status()).isEqualTo(404);
        // a checkpoint's
        assertThat(api.post("/models/" + model + "/checkpoints", Map.of("tag", "t")).status()).isEqualTo(201);
        HttpApi.Answer ck = api.postWith("/state-dicts?from=model:" + model + "@t", null);
        assertThat(ck.status()).isEqualTo(201);
        assertThat(ck.body().get("source").stringValue()).isEqualTo("model:" + model + "@t");
        assertThat(api.postWith("/state-dicts?from=model:" + model + "@nope", null).status()).isEqualTo(404);
        // a body beside ?from= was dropped without a word (a state dict other than the one sent): a 400, nothing kept or loaded
        int stateDicts = api.get("/state-dicts").body().size();
        long version = api.get("/models/" + model).body().get("version").longValue();
        Map<String, Object> zeros = Map.of("0.weight", List.of(List.of(0, 0, 0), List.of(0, 0, 0), List.of(0, 0, 0), List.of(0, 0, 0)));
        HttpApi.Answer both = api.postWith("/state-dicts?from=model:" + model, zeros);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.body().get("errors").get(0).get("field").stringValue()).isEqualTo("from");
        HttpApi.Answer loadBoth = api.sendWith("PUT", "/models/" + model + "/state-dict?strict=false&from=state-dict:" + sid, zeros);
        assertThat(loadBoth.status()).isEqualTo(400);
        assertThat(loadBoth.body().get("errors").get(0).get("field").stringValue()).isEqualTo("from");
        assertThat(api.get("/state-dicts").body().size()).isEqualTo(stateDicts);
        assertThat(api.get("/models/" + model).body().get("version").longValue()).isEqualTo(version);
    }

    @Test
    void spectraOfAKeptStateDictAreTheModels() {
        String model = api.create("""
                {"name": "s", "seed": 11, "model": {"type": "Sequential", "layers": [
                  {"type": "Linear", "in_features": 24, "out_features": 32}, {"type": "BatchNorm1d", "num_features": 32},
                  {"type": "Linear", "in_features": 32, "out_features": 16}]}}""");
        String sid = api.postWith("/state-dicts?from=model:" + model, null).body().get("id").stringValue();
        HttpApi.Answer ofModel = api.get("/models/" + model + "/spectra");
        HttpApi.Answer ofStateDict = api.get("/state-dicts/" + sid + "/spectra");
        assertThat(ofStateDict.status()).as("%s", ofStateDict.body()).isEqualTo(200);
        assertThat(ofStateDict.body().get("layers")).isEqualTo(ofModel.body().get("layers"));
        Map<String, String> skipped = new java.util.LinkedHashMap<>();
        ofStateDict.body().get("skipped").forEach(s -> skipped.put(s.get("name").stringValue(), s.get("reason").stringValue()));
        assertThat(skipped).containsEntry("1.num_batches_tracked", "dtype").containsEntry("1.running_mean", "rank");
        assertThat(ofStateDict.header("ETag")).isEqualTo("\"1\"");
        assertThat(api.get("/state-dicts/" + sid + "/spectra?prefix=2").body().get("layers").size()).isEqualTo(1);
        assertThat(api.get("/state-dicts/" + sid + "/spectra?bins=0").status()).isEqualTo(400);
    }

    @Test
    void jsonUploadsAreFloat32AndInt64() {
        HttpApi.Answer answer = api.post("/state-dicts?name=j", Map.of("w", Map.of("shape", List.of(2), "data", List.of(1.5, -2)),
                "n", Map.of("dtype", "int64", "data", 3)));
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
        String id = answer.body().get("id").stringValue();
        assertThat(api.get("/state-dicts/" + id + "/tensors/w").body().get("data").toString()).isEqualTo("[1.5,-2.0]");
        assertThat(api.get("/state-dicts/" + id + "/tensors/n").body().get("dtype").stringValue()).isEqualTo("int64");
    }

    /** #21: a bool tensor uploaded as JSON is kept as bool; values and statistics are torch's (expected.json's dt.mask). */
    @Test
    void jsonUploadsOfBoolTensorsAreKeptAsBool() {
        JsonNode mask = EXPECTED.get("dtypes").get("dt.mask");
        HttpApi.Answer answer = api.post("/state-dicts?name=mask", Map.of("dt.mask", Map.of("dtype", "bool",
                "shape", mask.get("shape"), "data", mask.get("values"))));
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(201);
        String id = answer.body().get("id").stringValue();
        assertThat(answer.body().get("tensors").get(0).get("dtype").stringValue()).isEqualTo("bool");
        JsonNode read = api.get("/state-dicts/" + id + "/tensors/dt.mask").body();
        assertThat(read.get("dtype").stringValue()).isEqualTo("bool");
        assertSameValues("dt.mask", read, mask.get("values"));
        JsonNode stats = api.get("/state-dicts/" + id + "/stats?bins=" + EXPECTED.get("bins").intValue()).body()
                .get("tensors").get(0).get("data");
        assertThat(stats.get("mean").doubleValue()).isEqualTo(mask.get("stats").get("mean").doubleValue());
        assertThat(stats.get("std").doubleValue()).isCloseTo(mask.get("stats").get("std").doubleValue(), within(1e-15));
        assertThat(stats.get("histogram").get("counts")).isEqualTo(mask.get("stats").get("histogram").get("counts"));
        // and the file: the same bytes as torch's own bool tensor in dtypes.safetensors
        byte[] file = api.getBytes("/state-dicts/" + id + "?format=safetensors", null).body();
        assertThat(java.util.Arrays.copyOfRange(file, file.length - 6, file.length)).containsExactly(1, 0, 1, 0, 0, 1);
    }

    /**
     * A rename's name is required and 1 to 200 characters, as the contract's StateDictPatch says: an
     * empty patch ({}) renamed the state dict to null (a new version and a history row), and "" or a
     * name of any length were taken. Refused, nothing changes; null still means no name.
     */
    @Test
    void aRenameNeedsItsNameAndARefusedOneChangesNothing() {
        String id = upload("base.safetensors", "?name=a");
        var observer = HttpApi.observer;
        HttpApi.observer = null;   // these bodies are wrong on purpose: the contract's own StateDictPatch refuses them
        for (Object body : List.of(Map.of(), Map.of("name", ""), Map.of("name", "x".repeat(201)))) {
            HttpApi.Answer refused = api.patch("/state-dicts/" + id, body);
            assertThat(refused.status()).as("%s", body).isEqualTo(400);
            assertThat(refused.body().get("errors").get(0).get("field").stringValue()).as("%s", refused.body()).isEqualTo("name");
        }
        HttpApi.observer = observer;
        JsonNode after = api.get("/state-dicts/" + id).body();
        assertThat(after.get("name").stringValue()).isEqualTo("a");
        assertThat(after.get("version").longValue()).isEqualTo(1);
        assertThat(api.get("/state-dicts/" + id + "/history").body().size()).isEqualTo(1);
        java.util.Map<String, Object> unnamed = new java.util.HashMap<>();
        unnamed.put("name", null);
        HttpApi.Answer renamed = api.patch("/state-dicts/" + id, unnamed);
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.body().get("name").isNull()).isTrue();
        assertThat(api.patch("/state-dicts/" + id, Map.of("name", "x".repeat(200))).status()).isEqualTo(200);
    }

    @Test
    void renameIsANewVersionWithHistoryAndIfMatch() throws Exception {
        String id = upload("base.safetensors", "?name=a");
        HttpApi.Answer renamed = api.patch("/state-dicts/" + id, Map.of("name", "b"));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.body().get("version").longValue()).isEqualTo(2);
        assertThat(renamed.header("ETag")).isEqualTo("\"2\"");
        assertThat(api.sendWith("PATCH", "/state-dicts/" + id, Map.of("name", "c"), "If-Match", "\"1\"").status()).isEqualTo(412);
        assertThat(api.sendWith("PATCH", "/state-dicts/" + id, Map.of("name", "c"), "If-Match", "\"2\"").status()).isEqualTo(200);
        JsonNode history = api.get("/state-dicts/" + id + "/history").body();
        assertThat(history.size()).isEqualTo(3);
        assertThat(history.get(0).get("operation").stringValue()).isEqualTo("rename");
        assertThat(history.get(2).get("operation").stringValue()).isEqualTo("create");
        assertThat(history.get(0).get("actor").stringValue()).isEqualTo("anonymous");
        // 304 is not an answer the document lists (as for models), so this one is sent around the contract check
        assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/v1/state-dicts/" + id)).header("If-None-Match", "\"3\"").build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(304);
        assertThat(api.delete("/state-dicts/" + id).status()).isEqualTo(204);
        assertThat(api.get("/state-dicts/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/state-dicts/" + id).status()).isEqualTo(404);
    }

    @Test
    void theListIsPagedAsModelsAre() {
        upload("base.safetensors", "?name=p1");
        upload("base.safetensors", "?name=p2");
        HttpApi.Answer page = api.get("/state-dicts?limit=1");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body().size()).isEqualTo(1);
        assertThat(page.body().get(0).has("tensors")).isFalse();
        assertThat(page.body().get(0).get("dtypes").isObject()).isTrue();
        assertThat(page.header("Link")).contains("rel=\"next\"");
    }

    @Test
    void hostileAndRefusedFilesStoreNothing() throws Exception {
        long chunksBefore = store.chunkBytes();
        int before = api.get("/state-dicts?limit=1000").body().size();
        List<Path> bad;
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/conformance/files"))) {
            bad = files.filter(f -> f.getFileName().toString().matches("(pt|st)_bad_.*")).sorted().toList();
        }
        assertThat(bad).hasSizeGreaterThan(10);
        for (Path file : bad) {
            HttpApi.Answer answer = api.postBytes("/state-dicts", OCTET, Files.readAllBytes(file));
            assertThat(answer.status()).as(file.getFileName() + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.body().get("type").stringValue()).isNotBlank();
        }
        // an unkept dtype, named
        byte[] u16 = safetensors("{\"x\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
        HttpApi.Answer answer = api.postBytes("/state-dicts", OCTET, u16);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("detail").stringValue()).contains("U16");
        // over max-state-dict-bytes (1MB here): 413 naming it, by Content-Length and by the header's sizes
        byte[] big = safetensors("{\"x\":{\"dtype\":\"F32\",\"shape\":[300000],\"data_offsets\":[0,1200000]}}", new byte[1_200_000]);
        HttpApi.Answer tooLarge = api.postBytes("/state-dicts", OCTET, big);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.body().get("limit").stringValue()).isEqualTo("max-state-dict-bytes");
        byte[] lying = safetensors("{\"x\":{\"dtype\":\"F32\",\"shape\":[300000],\"data_offsets\":[0,1200000]}}", new byte[16]);
        HttpApi.Answer declared = api.postBytes("/state-dicts", OCTET, lying);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body().get("detail").stringValue()).contains("max-state-dict-bytes");
        // without a Content-Length: refused as the bytes pass the limit
        java.net.http.HttpResponse<String> streamed = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/api/v1/state-dicts"))
                        .header("Content-Type", OCTET)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(413);
        assertThat(streamed.body()).contains("max-state-dict-bytes");
        assertThat(api.get("/state-dicts/x?format=zip").status()).isEqualTo(404);
        // a file cut inside its data, after some chunks could have been written
        byte[] cut = safetensors("{\"x\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}", new byte[2000]);
        assertThat(api.postBytes("/state-dicts", OCTET, cut).status()).isEqualTo(400);
        assertThat(api.get("/state-dicts?limit=1000").body().size()).isEqualTo(before);
        assertThat(store.chunkBytes()).as("no chunk of a refused upload is kept").isEqualTo(chunksBefore);
    }

    static byte[] safetensors(String header, byte[] data) {
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + json.length + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(data);
        return out.array();
    }
}
