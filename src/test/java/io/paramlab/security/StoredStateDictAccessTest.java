package io.paramlab.security;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stored state dicts under access control (API.md, "State dicts without a model"): read needs read,
 * upload needs write, rename and delete need the owner's write (or admin), the stored-parameters
 * quota counts state dicts' elements, and history names the actor.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "paramlab.quotas.max-parameters=20")
class StoredStateDictAccessTest {
    static final Map<String, String> TOKENS = new LinkedHashMap<>();
    static final List<String> NAMES = List.of("admin:admin", "reader:read", "alice:write", "bob:write");
    static final String SIX = "{\"w\": [[1, 2, 3], [4, 5, 6]]}";

    static {
        NAMES.forEach(n -> TOKENS.put(n.split(":")[0], AccessControlTest.randomToken()));
    }

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) {
        for (int i = 0; i < NAMES.size(); i++) {
            String[] parts = NAMES.get(i).split(":");
            String token = TOKENS.get(parts[0]);
            registry.add("paramlab.security.tokens[" + i + "].name", () -> parts[0]);
            registry.add("paramlab.security.tokens[" + i + "].role", () -> parts[1]);
            registry.add("paramlab.security.tokens[" + i + "].sha256", () -> HexFormat.of().formatHex(TokenTable.sha256(token)));
        }
    }

    @LocalServerPort
    int port;

    @Test
    void ownersChangeTheirOwnReadersReadAdminsDoAnything() {
        Client client = new Client(port, answer -> { });
        String alice = TOKENS.get("alice");
        String bob = TOKENS.get("bob");
        String path = "/api/v1/state-dicts";
        assertThat(client.send("POST", path, null, SIX).status()).isEqualTo(401);
        assertThat(client.send("POST", path, TOKENS.get("reader"), SIX).status()).isEqualTo(403);
        Client.Answer created = client.send("POST", path + "?name=a", alice, SIX);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").stringValue();
        assertThat(created.json().get("owner").stringValue()).isEqualTo("alice");
        assertThat(client.get(path + "/" + id, TOKENS.get("reader")).status()).isEqualTo(200);
        assertThat(client.get(path + "/" + id + "/tensors/w", bob).status()).isEqualTo(200);
        assertThat(client.send("PATCH", path + "/" + id, bob, "{\"name\": \"b\"}").status()).isEqualTo(403);
        assertThat(client.send("DELETE", path + "/" + id, bob, null).status()).isEqualTo(403);
        assertThat(client.send("DELETE", path + "/" + id, TOKENS.get("reader"), null).status()).isEqualTo(403);
        assertThat(client.send("PATCH", path + "/" + id, alice, "{\"name\": \"b\"}").status()).isEqualTo(200);
        assertThat(client.send("PATCH", path + "/" + id, TOKENS.get("admin"), "{\"name\": \"c\"}").status()).isEqualTo(200);
        Client.Answer history = client.get(path + "/" + id + "/history", TOKENS.get("reader"));
        assertThat(history.json().get(0).get("actor").stringValue()).isEqualTo("admin");
        assertThat(history.json().get(1).get("actor").stringValue()).isEqualTo("alice");
        assertThat(history.body()).doesNotContain(alice, bob, TOKENS.get("admin"));
        assertThat(client.send("DELETE", path + "/" + id, alice, null).status()).isEqualTo(204);
        Client.Answer other = client.send("POST", path, bob, SIX);
        assertThat(client.send("DELETE", path + "/" + other.json().get("id").stringValue(), TOKENS.get("admin"), null).status())
                .isEqualTo(204);
    }

    @Test
    void theStoredParametersQuotaCountsStateDicts() {
        Client client = new Client(port, answer -> { });
        String admin = TOKENS.get("admin");
        String path = "/api/v1/state-dicts";
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {   // 3 x 6 elements = 18 of admin's 20
            Client.Answer answer = client.send("POST", path, admin, SIX);
            assertThat(answer.status()).as(answer.body()).isEqualTo(201);
            ids.add(answer.json().get("id").stringValue());
        }
        Client.Answer over = client.send("POST", path, admin, SIX);
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.json().get("type").stringValue()).contains("quota-parameters");
        // and a model of 9 parameters (Linear 4 -> 1 with bias: 5) would pass it too: state dicts count with models
        Client.Answer model = client.send("POST", "/api/v1/models", admin,
                "{\"model\": {\"type\": \"Sequential\", \"layers\": [{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 1}]}}");
        assertThat(model.status()).isEqualTo(413);
        List<String> owned = new java.util.ArrayList<>();
        client.get(path + "?limit=1000", admin).json().forEach(s -> {
            if (s.get("owner").stringValue().equals("admin")) {
                owned.add(s.get("id").stringValue());
            }
        });
        assertThat(owned).containsExactlyInAnyOrderElementsOf(ids);
        ids.forEach(id -> assertThat(client.send("DELETE", path + "/" + id, admin, null).status()).isEqualTo(204));
    }
}
