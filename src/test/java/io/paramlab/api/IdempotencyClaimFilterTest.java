package io.paramlab.api;

import io.paramlab.store.IdempotencyClaim;
import io.paramlab.store.IdempotentResponse;
import io.paramlab.store.ModelStore;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link IdempotencyFilter} and the store's claim on a key: the handler runs only under a claim; what the claim
 * found otherwise answers (409 running, 422 another request, the replay); every end of a claimed request that
 * keeps no answer (a failure, an exception, an answer over the cap, a keep the store refused) releases the
 * claim, before the client can see the answer.
 */
class IdempotencyClaimFilterTest {
    private final List<String> calls = new ArrayList<>();
    private IdempotencyClaim found = new IdempotencyClaim.Claimed("claim here 1");
    private RuntimeException keepFails;
    private MockHttpServletResponse response;

    private final ModelStore store = (ModelStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ModelStore.class},
            (proxy, method, args) -> {
                calls.add(method.getName() + (response != null && response.isCommitted() ? " after the answer" : ""));
                return switch (method.getName()) {
                    case "claimIdempotent" -> found;
                    case "keepIdempotent" -> {
                        if (keepFails != null) {
                            throw keepFails;
                        }
                        yield null;
                    }
                    case "releaseIdempotent" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                };
            });
    private final IdempotencyFilter filter = new IdempotencyFilter(store, DataSize.ofBytes(100));

    private MockHttpServletResponse post(String body, FilterChain handler) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
        request.addHeader(IdempotencyFilter.HEADER, "k1");
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        response = new MockHttpServletResponse();
        response.setBufferSize(1);   // committed (seen by the client) at its first byte
        filter.doFilter(request, response, handler);
        return response;
    }

    private static FilterChain answering(int status, int bytes) {
        return (req, res) -> {
            ((jakarta.servlet.http.HttpServletResponse) res).setStatus(status);
            res.getOutputStream().write("x".repeat(bytes).getBytes(StandardCharsets.UTF_8));
        };
    }

    private static String hashOf(String body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
        return IdempotencyFilter.hash(request, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSuccessIsKeptUnderTheClaimAndNotReleased() throws Exception {
        assertThat(post("{}", answering(201, 10)).getStatus()).isEqualTo(201);
        assertThat(calls).containsExactly("claimIdempotent", "keepIdempotent");
    }

    @Test
    void everyEndThatKeepsNothingReleasesTheClaimBeforeTheAnswerIsSeen() throws Exception {
        assertThat(post("{}", answering(409, 10)).getStatus()).as("a failure").isEqualTo(409);
        assertThat(calls).containsExactly("claimIdempotent", "releaseIdempotent");

        calls.clear();
        assertThat(post("{}", answering(201, 500)).getContentAsString()).as("over the cap").hasSize(500);
        assertThat(calls).containsExactly("claimIdempotent", "releaseIdempotent after the answer");   // it streamed on

        calls.clear();
        assertThatThrownBy(() -> post("{}", (req, res) -> {
            throw new IllegalStateException("the handler failed");
        })).hasMessageContaining("the handler failed");
        assertThat(calls).as("an exception").containsExactly("claimIdempotent", "releaseIdempotent");

        calls.clear();
        keepFails = new DataAccessResourceFailureException("the store is away");
        MockHttpServletResponse answered = post("{}", answering(201, 10));
        assertThat(answered.getStatus()).as("the work is done: answered").isEqualTo(201);
        assertThat(answered.getContentAsString()).isEqualTo("x".repeat(10));
        assertThat(calls).as("a keep the store refused").containsExactly("claimIdempotent", "keepIdempotent", "releaseIdempotent");

        calls.clear();
        keepFails = new io.paramlab.store.IdempotencyClaimLostException();
        assertThat(post("{}", answering(201, 10)).getStatus()).isEqualTo(201);
        assertThat(calls).as("a claim taken over").containsExactly("claimIdempotent", "keepIdempotent", "releaseIdempotent");
    }

    @Test
    void withoutTheClaimTheHandlerDoesNotRun() throws Exception {
        FilterChain never = (req, res) -> {
            throw new AssertionError("the handler ran without the key's claim");
        };
        found = new IdempotencyClaim.Running(hashOf("{}"));
        MockHttpServletResponse running = post("{}", never);
        assertThat(running.getStatus()).isEqualTo(409);
        assertThat(running.getContentAsString()).contains("urn:paramlab:problem:idempotency-key-in-use");
        found = new IdempotencyClaim.Running(null);   // an upload, whose hash is not known while it runs
        assertThat(post("{}", never).getStatus()).isEqualTo(409);
        found = new IdempotencyClaim.Running(hashOf("{\"other\": 1}"));
        assertThat(post("{}", never).getContentAsString()).contains("urn:paramlab:problem:idempotency-key-reused");

        found = new IdempotencyClaim.Kept(new IdempotentResponse("k", hashOf("{}"), 201, Map.of("Location", List.of("/api/v1/models/m1")),
                "{\"id\":\"m1\"}".getBytes(StandardCharsets.UTF_8), Instant.EPOCH));
        MockHttpServletResponse replayed = post("{}", never);
        assertThat(replayed.getStatus()).isEqualTo(201);
        assertThat(replayed.getHeader(IdempotencyFilter.REPLAYED)).isEqualTo("true");
        assertThat(replayed.getHeader("Location")).isEqualTo("/api/v1/models/m1");
        assertThat(replayed.getContentAsString()).isEqualTo("{\"id\":\"m1\"}");
        assertThat(post("{\"other\": 1}", never).getStatus()).isEqualTo(422);
        assertThat(calls).containsOnly("claimIdempotent");
    }
}
