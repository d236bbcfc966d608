package io.paramlab.api;

import org.junit.jupiter.api.BeforeEach;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.tensor.Allocation;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23 item 3, imports: the arrays a load decodes (a safetensors or torch.save body, a stored state
 * dict) are charged before they are allocated, from the
 * header's or the store's shapes and dtypes: past max-parameters-per-model a 413 naming it; beside other
 * requests, past max-inflight-body-size a 413 naming that. A checkpoint's values for a restore or a fork are
 * charged with the restore's rollback copy to max-inflight-activation-elements. Nothing is changed by a refusal.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "paramlab.limits.max-inflight-body-size=1MB", "paramlab.limits.max-parameters-per-model=300000"})
class ImportBudgetHttpTest {
    static final String LINEAR = "{\"seed\": 1, \"model\": {\"type\": \"Linear\", \"in_features\": 100, \"out_features\": 100}}";

    @LocalServerPort
    int port;
    @Autowired
    ParamlabLimits limits;
    HttpApi api;

    @BeforeEach
    void setUp() {
        api = new HttpApi(port);
    }

    /** A safetensors file whose header declares {@code weight} as {@code dtype} of {@code numel} values, and none of the data. */
    static byte[] headerOnly(String dtype, long numel, int elementBytes) {
        String header = "{\"weight\": {\"dtype\": \"" + dtype + "\", \"shape\": [" + numel + "], \"data_offsets\": [0, "
                + numel * elementBytes + "]}}";
        while (header.length() % 8 != 0) header += " ";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).array();
    }

    private void assertLimit(HttpApi.Answer answer, String limit) {
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(413);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        assertThat(answer.body().get("limit").stringValue()).isEqualTo(limit);
    }

    @Test
    void aFileDeclaringMoreValuesThanAModelTakesIsRefusedBeforeTheyAreAllocated() {
        String id = api.create(LINEAR);
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        // 1,000,000 bfloat16 values: 2 MB in the file, within the binary body limit, 4 MB of float32 once decoded
        HttpApi.Answer answer = api.putBytes("/models/" + id + "/state-dict?format=safetensors", "application/octet-stream",
                headerOnly("BF16", 1_000_000, 2));
        assertLimit(answer, "max-parameters-per-model");
        assertThat(answer.body().get("actual").longValue()).isEqualTo(1_000_000);
        assertThat(answer.body().get("maximum").longValue()).isEqualTo(300_000);
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void aFileWhoseArraysWouldPassTheInFlightBudgetBesideOthersIsRefusedBeforeTheyAreAllocated() throws Exception {
        String id = api.create(LINEAR);
        JsonNode before = api.get("/models/" + id + "/state-dict").body();
        BodyBudget.Account others = BodyBudget.open(1L << 20, 0);
        try {
            others.charge(600_000);
            // 200,000 float32 values declared (800 KB once decoded), a body of a few dozen bytes
            assertLimit(api.putBytes("/models/" + id + "/state-dict?format=safetensors", "application/octet-stream",
                    headerOnly("F32", 200_000, 4)), "max-inflight-body-size");
        } finally {
            others.close();
        }
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(before);
    }

    @Test
    void aStoredStateDictLoadIsChargedBeforeTheValuesAreRead() throws Exception {
        String id = api.create(LINEAR);
        JsonNode state = api.get("/models/" + id + "/state-dict").body();
        HttpApi.Answer stored = api.post("/state-dicts?name=linear", state);
        assertThat(stored.status()).as("%s", stored.body()).isEqualTo(201);
        String sid = stored.body().get("id").stringValue();
        JsonNode info = api.get("/models/" + id).body();
        BodyBudget.Account others = BodyBudget.open(1L << 20, 0);
        try {
            others.charge(1_010_000);   // 10,100 float32 values (40,400 bytes) do not fit beside it
            assertLimit(api.send("PUT", "/models/" + id + "/state-dict?from=state-dict:" + sid, null, null, null),
                    "max-inflight-body-size");
        } finally {
            others.close();
        }
        assertThat(api.get("/models/" + id).body().get("version")).isEqualTo(info.get("version"));
        // alone, it goes through
        assertThat(api.send("PUT", "/models/" + id + "/state-dict?from=state-dict:" + sid, null, null, null).status()).isEqualTo(200);
    }

    /**
     * A restore holds the checkpoint's values and the model's rollback copy at once, a fork the checkpoint's
     * values: both are charged to max-inflight-activation-elements before they are allocated. The budget is the
     * JVM's (static), so it is narrowed here and put back to this service's after.
     */
    @Test
    void aCheckpointsRestoreChargesItsValuesAndTheRollbackCopyAndAForkItsValuesBeforeTheyAreRead() {
        String id = api.create(LINEAR);   // 10,100 values
        assertThat(api.post("/models/" + id + "/checkpoints", Map.of("tag", "c1")).status()).isEqualTo(201);
        long modelsBefore = api.get("/models").body().size();
        JsonNode info = api.get("/models/" + id).body();
        JsonNode values = api.get("/models/" + id + "/state-dict").body();
        Allocation.limitInFlight(15_000);
        try {
            // alone: the checkpoint's 10,100 values and the rollback copy's 10,100 do not fit in 15,000
            HttpApi.Answer restore = api.send("POST", "/models/" + id + "/checkpoints/c1/restore", null, null, null);
            assertLimit(restore, "max-inflight-activation-elements");
            assertThat(restore.body().get("maximum").longValue()).isEqualTo(15_000);
            assertThat(Allocation.inFlight()).as("given back").isZero();
            // a fork holds the checkpoint's values: they fit alone, not beside 6,000 held by others
            try (Allocation.Scope others = Allocation.hold(6_000)) {
                HttpApi.Answer fork = api.post("/models/" + id + "/checkpoints/c1/fork", Map.of("name", "f"));
                assertLimit(fork, "max-inflight-activation-elements");
                assertThat(fork.body().get("actual").longValue()).isEqualTo(16_100);
            }
            assertThat(api.get("/models").body().size()).isEqualTo(modelsBefore);
            assertThat(api.post("/models/" + id + "/checkpoints/c1/fork", Map.of("name", "f")).status()).isEqualTo(201);
        } finally {
            Allocation.limitInFlight(limits.maxInflightActivationElements());
        }
        assertThat(api.get("/models/" + id).body().get("version")).isEqualTo(info.get("version"));
        assertThat(api.get("/models/" + id + "/state-dict").body()).isEqualTo(values);
        assertThat(api.get("/models").body().size()).isEqualTo(modelsBefore + 1);
        assertThat(api.send("POST", "/models/" + id + "/checkpoints/c1/restore", null, null, null).status()).isEqualTo(200);
    }
}
