package io.paramlab.api;

import io.paramlab.store.IdempotencyClaim;
import io.paramlab.store.ModelStore;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #23 item 3: the idempotency cache keeps an answer only up to
 * {@code paramlab.idempotency.max-kept-answer-size}; a larger one goes to the client whole, as it is
 * written, and is not kept (nor held whole in memory for the cache).
 */
class IdempotencyCapTest {
    private final List<byte[]> kept = new ArrayList<>();
    private final ModelStore store = (ModelStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ModelStore.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "claimIdempotent" -> new IdempotencyClaim.Claimed("claim here " + args[0]);
                case "keepIdempotent" -> {
                    kept.add((byte[]) args[5]);
                    yield null;
                }
                case "releaseIdempotent" -> null;
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private MockHttpServletResponse post(IdempotencyFilter filter, String key, int answerBytes, boolean writer) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
        request.addHeader(IdempotencyFilter.HEADER, key);
        request.setContent("{}".getBytes(StandardCharsets.UTF_8));
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> {
            res.setContentType("application/json");
            String body = "x".repeat(answerBytes);
            for (int i = 0; i < answerBytes; i += 100) {   // written in pieces, as a serializer does
                String piece = body.substring(i, Math.min(answerBytes, i + 100));
                if (writer) {
                    res.getWriter().write(piece);
                } else {
                    res.getOutputStream().write(piece.getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        return response;
    }

    @Test
    void anAnswerOverTheCapIsSentWholeAndNotKept() throws Exception {
        IdempotencyFilter filter = new IdempotencyFilter(store, DataSize.ofBytes(1000));
        for (boolean writer : new boolean[] {false, true}) {
            kept.clear();
            MockHttpServletResponse small = post(filter, "small-" + writer, 999, writer);
            assertThat(small.getContentAsString()).hasSize(999);
            assertThat(kept).hasSize(1);
            assertThat(kept.get(0)).hasSize(999);
            MockHttpServletResponse large = post(filter, "large-" + writer, 5000, writer);
            assertThat(large.getContentAsString()).isEqualTo("x".repeat(5000));
            assertThat(kept).as("an answer over the cap is not kept").hasSize(1);
        }
    }
}
