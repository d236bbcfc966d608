package io.paramlab.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.paramlab.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access control through real HTTP: named tokens made here at run time (only their hashes are
 * configured), a JWT issuer whose key is generated here (no network), the role table over every
 * operation of the OpenAPI document, ownership, a quota, and no token in logs, answers or history.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"paramlab.quotas.max-models=2", "paramlab.quotas.max-running-jobs=1", "logging.level.org.springframework.security=TRACE"})
@ExtendWith(OutputCaptureExtension.class)
class AccessControlTest {
    static final String NET = """
            {"model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
              {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";
    static final String DROPOUT_NET = """
            {"model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 2}, {"type": "Dropout", "p": 0.5}]}}""";
    static final String X = "{\"input\": [[1, 2, 3, 4]]}";

    /** Each test that creates models has its own write token, so the quota of 2 counts only its own. */
    static final Map<String, String> TOKENS = new LinkedHashMap<>();
    static final KeyPair ISSUER = rsa();
    static final KeyPair STRANGER = rsa();

    static {
        for (String name : List.of("admin:admin", "reader:read", "writer:write", "owner:write", "other:write", "quota:write",
                "scribe:write", "runner:write", "first:write", "second:write")) {
            TOKENS.put(name.split(":")[0], randomToken());
        }
    }

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) {
        int i = 0;
        for (String name : List.of("admin:admin", "reader:read", "writer:write", "owner:write", "other:write", "quota:write",
                "scribe:write", "runner:write", "first:write", "second:write")) {
            String[] parts = name.split(":");
            String token = TOKENS.get(parts[0]);
            registry.add("paramlab.security.tokens[" + i + "].name", () -> parts[0]);
            registry.add("paramlab.security.tokens[" + i + "].role", () -> parts[1]);
            registry.add("paramlab.security.tokens[" + i + "].sha256", () -> HexFormat.of().formatHex(TokenTable.sha256(token)));
            i++;
        }
    }

    /** The configured issuer: its public key, as spring.security.oauth2.resourceserver.jwt.public-key-location would give it. */
    @TestConfiguration
    static class Issuer {
        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withPublicKey((RSAPublicKey) ISSUER.getPublic()).build();
        }
    }

    @LocalServerPort
    int port;
    final ConcurrentLinkedQueue<Client.Answer> seen = new ConcurrentLinkedQueue<>();

    Client client() {
        return new Client(port, seen::add);
    }

    static String token(String name) {
        return TOKENS.get(name);
    }

    /**
     * Every operation of the OpenAPI document, with no token, a wrong one, and each role: 401 and 403
     * exactly as the role table says, anything else where it allows (the bodies are dummies), and the
     * refused requests change nothing.
     */
    @Test
    void everyOperationOfTheDocumentAnswersByTheRoleTable() {
        Client api = client();
        JsonNode doc = api.get("/v3/api-docs", null).json();   // public, as Swagger UI needs it
        String id = api.create(token("writer"), NET);
        List<String[]> operations = new ArrayList<>();   // method, path, body
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> operations.add(new String[] {
                op.getKey().toUpperCase(java.util.Locale.ROOT), path.getKey().replace("{id}", id).replace("{name}", "0.weight").replace("{c}", "no-such-checkpoint").replace("{job}", "no-such-job").replace("{key}", "0.weight"),
                op.getValue().has("requestBody") ? "{}" : null})));
        assertThat(operations).hasSizeGreaterThanOrEqualTo(26);
        String before = snapshot(api, id);

        String wrong = randomToken();
        for (String[] op : operations) {
            for (String token : new String[] {null, wrong}) {
                Client.Answer answer = api.send(op[0], op[1], token, op[2]);
                assertThat(answer.status()).as(op[0] + " " + op[1] + (token == null ? " without a token" : " with a wrong token")).isEqualTo(401);
                assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
                assertProblem(answer, "unauthorized");
            }
            Client.Answer read = api.send(op[0], op[1], token("reader"), op[2]);
            if (op[0].equals("GET") || op[1].endsWith("/forward")) {
                assertThat(read.status()).as("read: " + op[0] + " " + op[1]).isNotIn(401, 403);
            } else {
                assertThat(read.status()).as("read: " + op[0] + " " + op[1]).isEqualTo(403);
                assertProblem(read, "forbidden");
            }
            // a write token deletes its own state dicts (StoredStateDictAccessTest); any other DELETE needs admin
            if (op[0].equals("DELETE") && !op[1].startsWith("/api/v1/state-dicts/")) {
                Client.Answer write = api.send(op[0], op[1], token("writer"), op[2]);
                assertThat(write.status()).as("write: " + op[0] + " " + op[1]).isEqualTo(403);
                assertProblem(write, "forbidden");
            }
        }
        assertThat(snapshot(api, id)).as("the refused requests changed nothing").isEqualTo(before);

        for (String[] op : operations) {
            if (!op[0].equals("DELETE")) {
                assertThat(api.send(op[0], op[1], token("writer"), op[2]).status()).as("write: " + op[0] + " " + op[1]).isNotIn(401, 403);
            }
        }
        operations.sort((a, b) -> Boolean.compare(a[0].equals("DELETE") && !a[1].endsWith("/optimizer"),
                b[0].equals("DELETE") && !b[1].endsWith("/optimizer")));   // the model's own DELETE last
        for (String[] op : operations) {
            assertThat(api.send(op[0], op[1], token("admin"), op[2]).status()).as("admin: " + op[0] + " " + op[1]).isNotIn(401, 403);
        }
        assertThat(api.get("/api/v1/models/" + id, token("admin")).status()).as("admin deleted it").isEqualTo(404);
        assertNoTokenIn(seen);
    }

    @Test
    void healthAndStaticFilesArePublicTheOtherActuatorEndpointsNeedAdmin() {
        Client api = client();
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness", "/ui/", "/v3/api-docs")) {
            assertThat(api.get(path, null).status()).as(path).isEqualTo(200);
        }
        assertThat(api.get("/swagger-ui.html", null).status()).isEqualTo(302);
        for (String path : List.of("/actuator/prometheus", "/actuator/info", "/actuator/metrics")) {
            assertThat(api.get(path, null).status()).as(path).isEqualTo(401);
            assertThat(api.get(path, token("writer")).status()).as(path).isEqualTo(403);
            assertThat(api.get(path, token("admin")).status()).as(path).isEqualTo(200);
        }
        // an encoded path is matched as Spring MVC decodes it, so it cannot slip past the admin rule
        assertThat(api.get("/%61ctuator/prometheus", token("reader")).status()).isIn(403, 404);
    }

    @Test
    void aWriteTokenChangesOnlyWhatItOwnsAndAdminChangesAnything() {
        Client api = client();
        String id = api.create(token("owner"), NET);
        String rename = "{\"name\": \"renamed\"}";
        Client.Answer refused = api.send("PATCH", "/api/v1/models/" + id, token("other"), rename);
        assertThat(refused.status()).isEqualTo(403);
        assertProblem(refused, "forbidden");
        assertThat(refused.json().get("detail").stringValue()).contains("\"other\"").contains("\"owner\"");
        assertThat(api.send("PUT", "/api/v1/models/" + id + "/optimizer", token("other"), "{\"type\": \"SGD\", \"lr\": 0.1}").status())
                .isEqualTo(403);
        JsonNode model = api.get("/api/v1/models/" + id, token("other")).json();   // reads everything
        assertThat(model.get("version").longValue()).as("nothing changed").isEqualTo(1);
        assertThat(model.get("name").isNull() || !model.get("name").stringValue().equals("renamed")).isTrue();

        assertThat(api.send("PATCH", "/api/v1/models/" + id, token("owner"), rename).status()).isEqualTo(200);
        assertThat(api.send("PATCH", "/api/v1/models/" + id, token("admin"), "{\"name\": \"by admin\"}").status()).isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/models/" + id, token("owner"), null).status()).isEqualTo(403);
        assertThat(api.send("DELETE", "/api/v1/models/" + id, token("admin"), null).status()).isEqualTo(204);
    }

    /**
     * Every mutating operation of the OpenAPI document (so a new endpoint is walked without editing this
     * test) on resources another write token owns: a model in training mode with a Dropout (its forward
     * draws, so it is a change), its optimizer, a checkpoint, a finished job and a dataset. The body is
     * the operation's first documented example, so the request is refused for its caller, not its body:
     * each answers 403, and nothing changed. Creates (a model, a dataset, a fork: the caller owns what
     * it makes) are the only operations allowed, and a fork belongs to its caller.
     */
    @Test
    void everyMutatingOperationOnWhatAnotherWriterOwnsIs403AndChangesNothing() throws InterruptedException {
        Client api = client();
        String owner = token("owner");
        JsonNode doc = api.get("/v3/api-docs", null).json();
        String id = api.create(owner, DROPOUT_NET);
        assertThat(api.send("PUT", "/api/v1/models/" + id + "/optimizer", owner, "{\"type\": \"SGD\", \"lr\": 0.1}").status())
                .isEqualTo(200);
        assertThat(api.send("POST", "/api/v1/models/" + id + "/checkpoints", owner, "{\"tag\": \"owners\"}").status()).isEqualTo(201);
        String data = "{\"input\": [[1, 2, 3, 4]], \"target\": [[1, 1]]}";
        Client.Answer dataset = api.send("POST", "/api/v1/datasets", owner, data);
        assertThat(dataset.status()).isEqualTo(201);
        Client.Answer job = api.send("POST", "/api/v1/models/" + id + "/jobs", owner,
                "{\"data\": " + data + ", \"loss\": \"mse\", \"epochs\": 1, \"batch_size\": 1}");
        assertThat(job.status()).isEqualTo(202);
        String jobId = job.json().get("id").stringValue();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!api.get("/api/v1/jobs/" + jobId, owner).json().get("status").stringValue().equals("succeeded")) {
            assertThat(System.nanoTime()).as("the owner's job ends").isLessThan(deadline);
            Thread.sleep(20);
        }
        String datasetId = dataset.json().get("id").stringValue();
        Client.Answer stored = api.send("POST", "/api/v1/state-dicts?name=owners", owner, "{\"weight\": [[1, 2]]}");
        assertThat(stored.status()).as(stored.body()).isEqualTo(201);
        String stateDictId = stored.json().get("id").stringValue();
        String before = ownedState(api, id, jobId, datasetId) + "\n" + api.get("/api/v1/state-dicts/" + stateDictId, owner).body();
        int models = api.get("/api/v1/models?limit=1000", token("admin")).json().size();

        java.util.Set<String> creates = java.util.Set.of("POST /api/v1/models", "POST /api/v1/datasets", "POST /api/v1/state-dicts",
                "POST /api/v1/models/{id}/checkpoints/{c}/fork");
        List<String> walked = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
            String template = path.getKey();
            if (!java.util.Set.of("POST", "PUT", "PATCH", "DELETE").contains(method) || creates.contains(method + " " + template)) {
                return;
            }
            String url = template.replace("{id}", template.startsWith("/api/v1/datasets") ? datasetId
                            : template.startsWith("/api/v1/state-dicts") ? stateDictId : id).replace("{name}", "0.weight")
                    .replace("{c}", "owners").replace("{job}", jobId).replace("{key}", "weight");
            assertThat(url).as(template + ": a path parameter this walk does not know").doesNotContain("{");
            Client.Answer answer = api.send(method, url, token("other"), example(op.getValue()));
            assertThat(answer.status()).as(method + " " + template + " by another writer: " + answer.body()).isEqualTo(403);
            assertProblem(answer, "forbidden");
            walked.add(method + " " + template);
        }));
        assertThat(walked).as("the walk saw the mutating operations").hasSizeGreaterThanOrEqualTo(20)
                .contains("POST /api/v1/models/{id}/checkpoints", "DELETE /api/v1/models/{id}/checkpoints/{c}",
                        "POST /api/v1/models/{id}/forward", "POST /api/v1/jobs/{job}/resume");
        assertThat(ownedState(api, id, jobId, datasetId) + "\n" + api.get("/api/v1/state-dicts/" + stateDictId, owner).body())
                .as("the refused requests changed nothing").isEqualTo(before);
        assertThat(api.get("/api/v1/models?limit=1000", token("admin")).json().size()).as("nor made a model").isEqualTo(models);

        Client.Answer fork = api.send("POST", "/api/v1/models/" + id + "/checkpoints/owners/fork", token("other"), "{}");
        assertThat(fork.status()).as("a fork is a read and a create").isEqualTo(201);
        assertThat(fork.json().get("owner").stringValue()).isEqualTo("other");
        assertThat(ownedState(api, id, jobId, datasetId) + "\n" + api.get("/api/v1/state-dicts/" + stateDictId, owner).body())
                .isEqualTo(before);
        String forkId = fork.json().get("id").stringValue();
        assertThat(api.send("PATCH", "/api/v1/models/" + forkId, token("other"), "{\"name\": \"mine\"}").status()).isEqualTo(200);
        for (String model : List.of(forkId, id)) {
            assertThat(api.send("DELETE", "/api/v1/models/" + model, token("admin"), null).status()).isEqualTo(204);
        }
    }

    /** Each model shows its owner, in the model and in the list. */
    @Test
    void aModelShowsItsOwner() {
        Client api = client();
        String id = api.create(token("writer"), NET);
        assertThat(api.get("/api/v1/models/" + id, token("reader")).json().get("owner").stringValue()).isEqualTo("writer");
        JsonNode list = api.get("/api/v1/models?limit=1000", token("reader")).json();
        boolean found = false;
        for (JsonNode m : list) {
            assertThat(m.has("owner")).as("every listed model has an owner field").isTrue();
            if (m.get("id").stringValue().equals(id)) {
                assertThat(m.get("owner").stringValue()).isEqualTo("writer");
                found = true;
            }
        }
        assertThat(found).isTrue();
    }

    /** The first documented example of an operation's JSON body, {@code {}} without one, null without a body. */
    private static String example(JsonNode operation) {
        if (!operation.has("requestBody")) {
            return null;
        }
        JsonNode media = operation.get("requestBody").path("content").path("application/json");
        JsonNode examples = media.path("examples");
        if (examples.isObject() && !examples.isEmpty()) {
            JsonNode value = examples.properties().iterator().next().getValue().get("value");
            return value.isString() ? value.stringValue() : value.toString();
        }
        return "{}";
    }

    /** What the walk could have changed of what "owner" owns, read as admin. */
    private static String ownedState(Client api, String id, String job, String dataset) {
        String admin = token("admin");
        String model = "/api/v1/models/" + id;
        JsonNode info = api.get(model, admin).json();
        return info.get("version") + " " + info.get("name") + " " + info.get("training") + "\n"
                + api.get(model + "/history", admin).json().size() + "\n"
                + api.get(model + "/optimizer", admin).body() + "\n"
                + api.get(model + "/optimizer/state-dict", admin).body() + "\n"
                + api.get(model + "/state-dict", admin).body() + "\n"
                + api.get(model + "/parameters?include=grad", admin).body() + "\n"
                + api.get(model + "/checkpoints", admin).body() + "\n"
                + api.get("/api/v1/jobs/" + job, admin).json().get("status") + "\n"
                + api.get("/api/v1/datasets/" + dataset, admin).status();
    }

    @Test
    void aReadTokenRunsAForwardThatChangesNothingAndNoOther() {
        Client api = client();
        String id = api.create(token("owner"), DROPOUT_NET);
        // training mode: Dropout draws from the model's generator, so this forward writes
        Client.Answer refused = api.send("POST", "/api/v1/models/" + id + "/forward", token("reader"), X);
        assertThat(refused.status()).isEqualTo(403);
        assertProblem(refused, "forbidden");
        assertThat(refused.json().get("detail").stringValue()).contains("training").contains("eval");
        JsonNode history = api.get("/api/v1/models/" + id + "/history", token("reader")).json();
        assertThat(history.size()).as("nothing changed").isEqualTo(1);
        assertThat(api.send("PATCH", "/api/v1/models/" + id, token("owner"), "{\"training\": false}").status()).isEqualTo(200);
        assertThat(api.send("POST", "/api/v1/models/" + id + "/forward", token("reader"), X).status()).isEqualTo(200);
        assertThat(api.send("POST", "/api/v1/models/" + id + "/backward", token("reader"),
                "{\"input\": [[1, 2, 3, 4]], \"target\": [[0, 0]], \"loss\": \"mse\"}").status()).isEqualTo(403);
        assertThat(api.send("DELETE", "/api/v1/models/" + id, token("admin"), null).status()).isEqualTo(204);
    }

    @Test
    void anIdempotencyKeyIsItsCallersOwn() {
        Client api = client();
        Client.Answer first = api.send("POST", "/api/v1/models", token("first"), NET, "Idempotency-Key", "shared-key");
        assertThat(first.status()).isEqualTo(201);
        Client.Answer replay = api.send("POST", "/api/v1/models", token("first"), NET, "Idempotency-Key", "shared-key");
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.json().get("id")).isEqualTo(first.json().get("id"));
        // another token with the same key and body: its own create, not the first caller's answer
        Client.Answer other = api.send("POST", "/api/v1/models", token("second"), NET, "Idempotency-Key", "shared-key");
        assertThat(other.status()).isEqualTo(201);
        assertThat(other.header("Idempotent-Replayed")).isNull();
        assertThat(other.json().get("id")).isNotEqualTo(first.json().get("id"));
        assertThat(api.get("/api/v1/models/" + other.json().get("id").stringValue() + "/history", token("second")).json()
                .get(0).get("actor").stringValue()).isEqualTo("second");
    }

    @Test
    void anOwnerPastItsRunningJobsQuotaGetsA413NamingTheQuota() throws InterruptedException {
        Client api = client();
        String first = api.create(token("runner"), NET);
        String second = api.create(token("runner"), NET);
        for (String model : List.of(first, second)) {
            assertThat(api.send("PUT", "/api/v1/models/" + model + "/optimizer", token("runner"), "{\"type\": \"SGD\", \"lr\": 0.01}")
                    .status()).isEqualTo(200);
        }
        String job = "{\"data\": {\"input\": [[1, 2, 3, 4]], \"target\": [[1]]}, \"loss\": \"mse\", \"epochs\": 100000, \"batch_size\": 1}";
        Client.Answer running = api.send("POST", "/api/v1/models/" + first + "/jobs", token("runner"), job);
        assertThat(running.status()).isEqualTo(202);
        Client.Answer refused = api.send("POST", "/api/v1/models/" + second + "/jobs", token("runner"), job);
        assertThat(refused.status()).isEqualTo(413);
        assertProblem(refused, "quota-running-jobs");
        assertThat(refused.json().get("limit").stringValue()).isEqualTo("quotas.max-running-jobs");
        assertThat(refused.json().get("actual").longValue()).isEqualTo(2);
        assertThat(refused.json().get("maximum").longValue()).isEqualTo(1);
        assertThat(api.get("/api/v1/models/" + second + "/jobs", token("runner")).json().size()).as("nothing queued").isZero();

        String id = running.json().get("id").stringValue();
        assertThat(api.send("POST", "/api/v1/jobs/" + id + "/cancel", token("runner"), null).status()).isEqualTo(202);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!api.get("/api/v1/jobs/" + id, token("runner")).json().get("status").stringValue().equals("cancelled")) {
            assertThat(System.nanoTime()).as("the job stops after its step in progress").isLessThan(deadline);
            Thread.sleep(20);
        }
        Client.Answer next = api.send("POST", "/api/v1/models/" + second + "/jobs", token("runner"), job);
        assertThat(next.status()).as("the quota counts jobs queued or running only").isEqualTo(202);
        assertThat(api.send("POST", "/api/v1/jobs/" + next.json().get("id").stringValue() + "/cancel", token("runner"), null)
                .status()).isEqualTo(202);
    }

    @Test
    void anOwnerPastItsModelQuotaGetsA413NamingTheQuota() {
        Client api = client();
        api.create(token("quota"), NET);
        api.create(token("quota"), NET);
        int models = api.get("/api/v1/models?limit=1000", token("quota")).json().size();
        Client.Answer refused = api.send("POST", "/api/v1/models", token("quota"), NET);
        assertThat(refused.status()).isEqualTo(413);
        assertProblem(refused, "quota-models");
        assertThat(refused.json().get("limit").stringValue()).isEqualTo("quotas.max-models");
        assertThat(refused.json().get("actual").longValue()).isEqualTo(3);
        assertThat(refused.json().get("maximum").longValue()).isEqualTo(2);
        assertThat(api.get("/api/v1/models?limit=1000", token("quota")).json().size()).as("nothing created").isEqualTo(models);
        // another owner is not counted against this one
        String other = api.create(token("other"), NET);
        assertThat(api.send("DELETE", "/api/v1/models/" + other, token("admin"), null).status()).isEqualTo(204);
    }

    @Test
    void tokensNeverReachLogsAnswersOrHistory(CapturedOutput output) {
        try (LogCapture logs = LogCapture.start()) {   // the console shows ERROR alone in tests: the TRACE lines are read here
            tokensNeverReachLogsAnswersOrHistory(output, logs);
        }
    }

    private void tokensNeverReachLogsAnswersOrHistory(CapturedOutput output, LogCapture logs) {
        Client api = client();
        String id = api.create(token("scribe"), NET);
        assertThat(api.send("PATCH", "/api/v1/models/" + id, token("scribe"), "{\"training\": false}").status()).isEqualTo(200);
        String wrong = randomToken();
        assertThat(api.get("/api/v1/models/" + id, wrong).status()).isEqualTo(401);
        JsonNode history = api.get("/api/v1/models/" + id + "/history", token("scribe")).json();
        assertThat(history.findValuesAsString("actor")).containsOnly("scribe");
        JsonNode model = api.get("/api/v1/models/" + id, token("scribe")).json();
        assertThat(model.toString()).doesNotContain(token("scribe"));
        assertThat(logs.getAll()).as("the log of requests with tokens, security at TRACE").contains("Bearer")
                .doesNotContain(token("scribe")).doesNotContain(wrong);
        assertThat(output.getAll()).as("the console").doesNotContain(token("scribe")).doesNotContain(wrong);
        assertNoTokenIn(seen);
        assertThat(output.getAll()).doesNotContain(wrong);
    }

    @Test
    void aJwtOfTheIssuerNamesTheCallerAndItsScopeGivesTheRole() throws Exception {
        Client api = client();
        String writer = jwt(ISSUER, "jwt-writer", "openid paramlab.write", 300);
        String id = api.create(writer, NET);
        assertThat(api.get("/api/v1/models/" + id + "/history", writer).json().get(0).get("actor").stringValue()).isEqualTo("jwt-writer");
        String reader = jwt(ISSUER, "jwt-reader", "paramlab.read", 300);
        assertThat(api.get("/api/v1/models/" + id, reader).status()).isEqualTo(200);
        assertThat(api.send("PATCH", "/api/v1/models/" + id, reader, "{\"training\": false}").status()).isEqualTo(403);
        assertThat(api.send("PATCH", "/api/v1/models/" + id, jwt(ISSUER, "jwt-other", "paramlab.write", 300),
                "{\"training\": false}").status()).as("another subject does not own it").isEqualTo(403);
        assertThat(api.get("/api/v1/models/" + id, jwt(ISSUER, "jwt-nobody", "openid", 300)).status()).as("no paramlab scope").isEqualTo(403);
        for (String refused : List.of(jwt(STRANGER, "jwt-writer", "paramlab.admin", 300), jwt(ISSUER, "jwt-writer", "paramlab.admin", -300))) {
            Client.Answer answer = api.get("/api/v1/models/" + id, refused);
            assertThat(answer.status()).as("another key, or expired").isEqualTo(401);
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
        }
        String admin = jwt(ISSUER, "jwt-admin", "paramlab.admin", 300);
        assertThat(api.send("DELETE", "/api/v1/models/" + id, admin, null).status()).isEqualTo(204);
    }

    // ---- helpers

    /** What a refused request could have changed: the model's version and history, the optimizer, the model count. */
    private String snapshot(Client api, String id) {
        String admin = token("admin");
        return api.get("/api/v1/models/" + id, admin).json().get("version") + " "
                + api.get("/api/v1/models/" + id + "/history", admin).json().size() + " "
                + api.get("/api/v1/models/" + id + "/optimizer", admin).status() + " "
                + api.get("/api/v1/models/" + id + "/state-dict", admin).body() + " "
                + api.get("/api/v1/models?limit=1000", admin).json().size();
    }

    private static void assertProblem(Client.Answer answer, String type) {
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.json().get("type").stringValue()).isEqualTo("urn:paramlab:problem:" + type);
        assertThat(answer.json().get("status").intValue()).isEqualTo(answer.status());
    }

    private static void assertNoTokenIn(Iterable<Client.Answer> answers) {
        for (Client.Answer answer : answers) {
            String whole = answer.raw().headers().map() + " " + answer.body();
            for (String token : TOKENS.values()) {
                assertThat(whole).doesNotContain(token);
            }
        }
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);   // as `openssl rand -hex 32` makes one
    }

    private static String jwt(KeyPair key, String subject, String scope, long secondsValid) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).claim("scope", scope)
                .issueTime(Date.from(now.minusSeconds(120))).expirationTime(Date.from(now.plusSeconds(secondsValid))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        jwt.sign(new RSASSASigner(key.getPrivate()));
        return jwt.serialize();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
