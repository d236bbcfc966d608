package io.paramlab.api;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API.md's promise of the store, through HTTP against the whole service in a JVM of its own. One
 * client writes in a loop (creates, element writes, seeded inits, state dict loads, renames) and
 * remembers every write answered 2xx; at a seeded random moment the service is stopped (SIGKILL,
 * or SIGTERM) and started again on the same store. Every answered write is there (values, names,
 * versions), every model loads, and the write in flight at the stop is wholly in or wholly out.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ServiceCrashTest {
    private static final int ROUNDS = 3;
    private static final String HEAP = "384m";
    /** The chapter's net, 4-8-1: its state dict's keys and shapes. */
    private static final String NET = """
            {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}""";
    private static final Map<String, int[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("0.weight", new int[]{8, 4});
        SHAPES.put("0.bias", new int[]{8});
        SHAPES.put("2.weight", new int[]{1, 8});
        SHAPES.put("2.bias", new int[]{1});
    }

    @TempDir
    Path dataDir;

    @Test
    void everyAnsweredWriteSurvivesSigkill() throws Exception {
        new CrashRounds(20261202L, dataArguments(), Stop.KILL).run();
    }

    @Test
    void everyAnsweredWriteSurvivesSigterm() throws Exception {
        new CrashRounds(20261203L, dataArguments(), Stop.TERM).run();
    }

    @Test
    void everyAnsweredWriteSurvivesSigkillOnPostgres() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            List<String> arguments = new ArrayList<>(dataArguments());
            arguments.add("--spring.datasource.url=jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
            arguments.add("--spring.datasource.username=postgres");
            new CrashRounds(20261204L, arguments, Stop.KILL).run();
        }
    }

    /**
     * init with draws, restart, init without a seed: the same two inits as in one process (torch.manual_seed
     * once, two draws). The gradient of a backward before the restart is gone after it.
     */
    @Test
    void seededDrawsContinueAfterARestartAsWithoutOne() throws Exception {
        String draw = """
                {"rules": [{"layer_types": ["Linear"], "params": {"weight": {"type": "normal", "std": 0.5}, "bias": {"type": "normal"}}}]}""";
        String seeded = draw.replace("{\"rules\"", "{\"seed\": 3, \"rules\"");
        String restarted;
        Map<String, float[]> first;
        try (ServiceProcess service = ServiceProcess.start(HEAP, dataArguments())) {
            Client client = new Client(service);
            restarted = client.create("{\"name\": \"restarted\", \"seed\": 7, \"model\": " + NET + "}");
            client.expect(2, client.post("/models/" + restarted + "/init", seeded));
            first = client.stateDict(restarted);
            client.expect(2, client.post("/models/" + restarted + "/backward", "{\"input\": [[1, 2, 3, 4]], \"loss\": \"sum\"}"));
            service.kill();
        }
        try (ServiceProcess service = ServiceProcess.start(HEAP, dataArguments())) {
            Client client = new Client(service);
            assertThat(client.expect(2, client.get("/models/" + restarted + "/parameters/0.weight")).get("grad").isNull())
                    .as("gradients are not durable").isTrue();
            client.expect(2, client.post("/models/" + restarted + "/init", draw));
            String oneProcess = client.create("{\"name\": \"one process\", \"seed\": 7, \"model\": " + NET + "}");
            client.expect(2, client.post("/models/" + oneProcess + "/init", seeded));
            assertSameValues(client.stateDict(oneProcess), first, "the seeded init");
            client.expect(2, client.post("/models/" + oneProcess + "/init", draw));
            Map<String, float[]> second = client.stateDict(oneProcess);
            assertSameValues(client.stateDict(restarted), second, "the unseeded init after the restart");
            assertThat(second.get("0.weight")).as("the second init drew new values").isNotEqualTo(first.get("0.weight"));
            service.terminate();
        }
    }

    private List<String> dataArguments() {
        return List.of("--paramlab.data-dir=" + dataDir);
    }

    private enum Stop {
        KILL, TERM;

        void apply(ServiceProcess service) throws InterruptedException {
            if (this == KILL) service.kill(); else service.terminate();
        }
    }

    /** Rounds of writing and stopping on one store, each checked after the restart, and a last restart to check the last round. */
    private static final class CrashRounds {
        private final long seed;
        private final List<String> arguments;
        private final Stop stop;
        private final Random writes;
        private final Random moments;
        /** What the client was told, by model id. */
        private final Map<String, Known> known = new LinkedHashMap<>();
        /** Values of seeded draws ("create 3", "init 2"), read from reference models after a restart. */
        private final Map<String, Map<String, float[]>> drawn = new HashMap<>();
        private volatile InFlight inFlight;
        private volatile Throwable writerFailure;
        private volatile int acknowledged;   // written by the writer thread only
        private int port;   // each round restarts the service at the same address, as an orchestrator does

        CrashRounds(long seed, List<String> arguments, Stop stop) {
            this.seed = seed;
            this.arguments = arguments;
            this.stop = stop;
            this.writes = new Random(seed);
            this.moments = new Random(seed + 1);
        }

        void run() throws Exception {
            port = ServiceProcess.freePort();
            for (int round = 0; round <= ROUNDS; round++) {
                try (ServiceProcess service = ServiceProcess.start(HEAP, port, arguments)) {
                    Client client = new Client(service);
                    check(client, round);
                    if (round == ROUNDS) {
                        service.terminate();
                        break;
                    }
                    int before = acknowledged;
                    AtomicBoolean stopping = new AtomicBoolean();
                    Thread writer = new Thread(() -> writeUntilStopped(client, stopping), "crash-test-writer");
                    writer.start();
                    // a random moment after the round's first answered write, however slow the machine
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (acknowledged == before && writer.isAlive() && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    Thread.sleep(moments.nextInt(2500));
                    stopping.set(true);
                    stop.apply(service);
                    writer.join(TimeUnit.SECONDS.toMillis(60));
                    assertThat(writer.isAlive()).as("the writer ends with the service").isFalse();
                    assertThat(writerFailure).as("seed %d, round %d: the writer's requests before the stop", seed, round).isNull();
                    assertThat(acknowledged).as("seed %d, round %d: writes answered before the stop", seed, round).isGreaterThan(before);
                }
            }
            assertThat(known).as("models written").isNotEmpty();
        }

        private void writeUntilStopped(Client client, AtomicBoolean stopping) {
            try {
                while (true) {
                    Write write = nextWrite();
                    Known before = write instanceof Create ? null : known.get(write.id());
                    inFlight = new InFlight(write, before);
                    HttpResponse<String> answer;
                    try {
                        answer = client.send(write.request(client.base, before));
                    } catch (IOException gone) {
                        return;   // the service went away with this write in flight
                    }
                    if (answer.statusCode() / 100 != 2) {
                        if (!stopping.get()) {
                            throw new AssertionError(write + ": " + answer.statusCode() + " " + answer.body());
                        }
                        return;   // refused while stopping: still counted as in flight, in or out
                    }
                    JsonNode body = answer.body().isEmpty() ? null : HttpApi.JSON.readTree(answer.body());
                    String id = write instanceof Create ? body.get("id").stringValue() : write.id();
                    Known after = write.after(before, id);
                    if (body != null && body.has("version")) {
                        assertThat(body.get("version").longValue()).as("%s answered version", write).isEqualTo(after.version());
                    }
                    known.put(id, after);
                    acknowledged++;
                    inFlight = null;
                }
            } catch (Throwable e) {
                writerFailure = e;
            }
        }

        private Write nextWrite() {
            if (known.size() < 2 || (known.size() < 12 && writes.nextInt(100) < 8)) {
                return new Create("m" + writes.nextInt(1000), 1 + writes.nextInt(4));
            }
            List<String> ids = new ArrayList<>(known.keySet());
            String id = ids.get(writes.nextInt(ids.size()));
            int kind = writes.nextInt(100);
            if (kind < 45) {
                List<String> keys = new ArrayList<>(SHAPES.keySet());
                String key = keys.get(writes.nextInt(keys.size()));
                return new WriteElement(id, key, writes.nextInt(numel(SHAPES.get(key))), (writes.nextInt(2001) - 1000) / 8f);
            }
            if (kind < 65) {
                return new Init(id, 1 + writes.nextInt(4));
            }
            if (kind < 80) {
                Map<String, float[]> values = new LinkedHashMap<>();
                SHAPES.forEach((key, shape) -> {
                    float[] v = new float[numel(shape)];
                    for (int i = 0; i < v.length; i++) v[i] = (writes.nextInt(65) - 32) / 16f;
                    values.put(key, v);
                });
                return new Load(id, values);
            }
            return new Rename(id, "renamed " + writes.nextInt(1000));
        }

        /** After a restart: every answered write is there, every model loads, the write in flight is in or out. */
        private void check(Client client, int round) throws Exception {
            String where = "seed " + seed + (round == 0 ? ", first start" : ", after stop " + round + " (" + stop + ")");
            List<String> listed = new ArrayList<>();
            client.expect(2, client.get("/models?limit=1000")).forEach(m -> listed.add(m.get("id").stringValue()));
            InFlight pending = inFlight;
            assertThat(listed).as("%s: no answered model missing", where).containsAll(known.keySet());
            List<String> extra = new ArrayList<>(listed);
            extra.removeAll(known.keySet());
            assertThat(extra).as("%s: a model nobody was told of can only be the create in flight (%s)", where, pending)
                    .hasSizeLessThanOrEqualTo(pending != null && pending.write() instanceof Create ? 1 : 0);
            String landed = "out";
            Map<String, Actual> actual = new LinkedHashMap<>();
            for (String id : listed) {
                actual.put(id, client.actual(id));
            }
            for (String id : listed) {
                Known want = known.get(id);
                List<Known> candidates = new ArrayList<>();
                if (want != null) candidates.add(want);
                if (pending != null && (want == null || id.equals(pending.write().id()))) {
                    candidates.add(pending.write().after(pending.before(), id));
                }
                Known found = null;
                for (Known candidate : candidates) {
                    if (actual.get(id).is(candidate, values(client, candidate.values()))) {
                        found = candidate;
                    }
                }
                assertThat(found).as("%s: model %s is %s, expected one of %s (in flight: %s)", where, id, actual.get(id), candidates, pending)
                        .isNotNull();
                known.put(id, found);
                if (pending != null && candidates.size() == 2 || want == null) {
                    landed = found != want ? "in" : "out";
                }
            }
            System.out.printf("%s: %d models, %d writes answered so far, in flight: %s, %s%n", where, listed.size(), acknowledged,
                    pending == null ? "none" : pending.write(), pending == null ? "-" : landed);
            inFlight = null;
        }

        /** The values a client was told of, the seeded draws read from a reference model made for the purpose. */
        private Map<String, float[]> values(Client client, Values values) throws Exception {
            Map<String, float[]> base = values.given();
            if (base == null) {
                String draw = values.drawnBy() + " " + values.seed();
                base = drawn.get(draw);
                if (base == null) {
                    base = client.reference(values.drawnBy(), values.seed());
                    drawn.put(draw, base);
                }
            }
            Map<String, float[]> result = new LinkedHashMap<>();
            base.forEach((key, v) -> result.put(key, v.clone()));
            values.writes().forEach((element, value) -> {
                int hash = element.lastIndexOf('#');
                result.get(element.substring(0, hash))[Integer.parseInt(element.substring(hash + 1))] = value;
            });
            return result;
        }
    }

    /** What the client was told of one model. */
    private record Known(String id, String name, long version, Values values) {
        Known next(String newName, Values newValues) {
            return new Known(id, newName, version + 1, newValues);
        }
    }

    /** A state dict as a client knows it: a seeded draw (drawnBy "create" or "init") or given values, then element writes ("key#flat index"). */
    private record Values(String drawnBy, int seed, Map<String, float[]> given, Map<String, Float> writes) {
        static Values drawn(String by, int seed) {
            return new Values(by, seed, null, Map.of());
        }

        Values write(String key, int index, float value) {
            Map<String, Float> more = new LinkedHashMap<>(writes);
            more.remove(key + "#" + index);
            more.put(key + "#" + index, value);
            return new Values(drawnBy, seed, given, more);
        }

        @Override
        public String toString() {
            return (given == null ? drawnBy + " seed " + seed : "loaded values") + (writes.isEmpty() ? "" : " then " + writes);
        }
    }

    private record InFlight(Write write, Known before) {
    }

    /** One kind of write: its request (with If-Match on the version the client knows), and what the client knows after a 2xx. */
    private sealed interface Write permits Create, WriteElement, Init, Load, Rename {
        String id();

        HttpRequest request(String base, Known before);

        Known after(Known before, String id);
    }

    private record Create(String name, int seed) implements Write {
        public String id() {
            return null;
        }

        public HttpRequest request(String base, Known before) {
            return Client.json(base + "/models", "POST", null,
                    "{\"name\": \"" + name + "\", \"seed\": " + seed + ", \"model\": " + NET + "}");
        }

        public Known after(Known before, String id) {
            return new Known(id, name, 1, Values.drawn("create", seed));
        }
    }

    private record WriteElement(String id, String key, int index, float value) implements Write {
        public HttpRequest request(String base, Known before) {
            int[] shape = SHAPES.get(key);
            int[] at = new int[shape.length];
            for (int d = shape.length - 1, rest = index; d >= 0; rest /= shape[d], d--) {
                at[d] = rest % shape[d];
            }
            return Client.json(base + "/models/" + id + "/parameters/" + key, "PATCH", before,
                    "{\"index\": " + Arrays.toString(at) + ", \"value\": " + value + "}");
        }

        public Known after(Known before, String id) {
            return before.next(before.name(), before.values().write(key, index, value));
        }
    }

    private record Init(String id, int seed) implements Write {
        public HttpRequest request(String base, Known before) {
            return Client.json(base + "/models/" + id + "/init", "POST", before, Client.init(seed));
        }

        public Known after(Known before, String id) {
            return before.next(before.name(), Values.drawn("init", seed));
        }
    }

    private record Load(String id, Map<String, float[]> values) implements Write {
        public HttpRequest request(String base, Known before) {
            StringBuilder body = new StringBuilder("{");
            values.forEach((key, v) -> body.append(body.length() > 1 ? ", " : "").append('"').append(key).append("\": {\"shape\": ")
                    .append(Arrays.toString(SHAPES.get(key))).append(", \"data\": ").append(Arrays.toString(v)).append('}'));
            return Client.json(base + "/models/" + id + "/state-dict", "PUT", before, body.append('}').toString());
        }

        public Known after(Known before, String id) {
            return before.next(before.name(), new Values(null, 0, values, Map.of()));
        }

        @Override
        public String toString() {
            return "Load[" + id + "]";
        }
    }

    private record Rename(String id, String name) implements Write {
        public HttpRequest request(String base, Known before) {
            return Client.json(base + "/models/" + id, "PATCH", before, "{\"name\": \"" + name + "\"}");
        }

        public Known after(Known before, String id) {
            return before.next(name, before.values());
        }
    }

    /** One model as the restarted service has it. */
    private record Actual(String name, long version, String etag, Map<String, float[]> stateDict) {
        boolean is(Known known, Map<String, float[]> values) {
            return name.equals(known.name()) && version == known.version() && etag.equals("\"" + known.version() + "\"")
                    && stateDict.keySet().equals(values.keySet())
                    && values.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), stateDict.get(e.getKey())));
        }

        @Override
        public String toString() {
            StringBuilder values = new StringBuilder();
            stateDict.forEach((key, v) -> values.append(' ').append(key).append('=').append(Arrays.toString(v)));
            return "\"" + name + "\" v" + version + " ETag " + etag + values;
        }
    }

    private static void assertSameValues(Map<String, float[]> actual, Map<String, float[]> expected, String what) {
        assertThat(actual.keySet()).as(what).containsExactlyElementsOf(expected.keySet());
        expected.forEach((key, v) -> assertThat(actual.get(key)).as("%s: %s", what, key).containsExactly(v));
    }

    private static int numel(int[] shape) {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** HTTP to one service process: the writes above, and reading a model back whole. */
    private static final class Client {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final ServiceProcess service;
        private final String base;

        Client(ServiceProcess service) {
            this.service = service;
            this.base = service.base();
        }

        static HttpRequest json(String uri, String method, Known ifMatch, String body) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.replace(" ", "%20"))).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            if (ifMatch != null) request.header("If-Match", "\"" + ifMatch.version() + "\"");
            return request.build();
        }

        static String init(int seed) {
            return "{\"seed\": " + seed + ", \"rules\": [{\"layer_types\": [\"Linear\"], \"params\": {"
                    + "\"weight\": {\"type\": \"normal\", \"std\": 0.5}, \"bias\": {\"type\": \"uniform\", \"a\": -1, \"b\": 1}}}]}";
        }

        HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String path) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).build());
        }

        HttpResponse<String> post(String path, String body) throws Exception {
            return send(json(base + path, "POST", null, body));
        }

        JsonNode expect(int statusClass, HttpResponse<String> answer) {
            assertThat(answer.statusCode() / 100).as("%s %s: %s\n%s", answer.request().method(), answer.request().uri(), answer.body(),
                    service.tail()).isEqualTo(statusClass);
            return answer.body().isEmpty() ? null : HttpApi.JSON.readTree(answer.body());
        }

        String create(String spec) throws Exception {
            return expect(2, post("/models", spec)).get("id").stringValue();
        }

        Map<String, float[]> stateDict(String id) throws Exception {
            Map<String, float[]> values = new LinkedHashMap<>();
            expect(2, get("/models/" + id + "/state-dict")).properties()
                    .forEach(e -> values.put(e.getKey(), Conformance.floats(e.getValue())));
            return values;
        }

        Actual actual(String id) throws Exception {
            HttpResponse<String> answer = get("/models/" + id);
            JsonNode model = expect(2, answer);
            return new Actual(model.get("name").stringValue(), model.get("version").longValue(),
                    answer.headers().firstValue("ETag").orElse(""), stateDict(id));
        }

        /** The values of a seeded draw, from a model made for the purpose and deleted again. */
        Map<String, float[]> reference(String drawnBy, int seed) throws Exception {
            String id = create("{\"name\": \"reference\", \"seed\": " + (drawnBy.equals("create") ? seed : 0) + ", \"model\": " + NET + "}");
            if (drawnBy.equals("init")) {
                expect(2, post("/models/" + id + "/init", init(seed)));
            }
            Map<String, float[]> values = stateDict(id);
            expect(2, send(HttpRequest.newBuilder(URI.create(base + "/models/" + id)).DELETE().build()));
            return values;
        }
    }
}
