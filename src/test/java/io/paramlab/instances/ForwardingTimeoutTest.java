package io.paramlab.instances;

import io.paramlab.model.ParamlabLimits;
import io.paramlab.store.JobStore;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * Issue #23 item 7: a request forwarded to the instance holding its model waits for that instance's
 * answer at most paramlab.instance.forward-timeout. A holder that took the connection but never
 * answers gets the client a 503 problem with Retry-After within the timeout; nothing ran here.
 */
class ForwardingTimeoutTest {
    @Test
    void aHolderThatDoesNotAnswerEndsIn503WithRetryAfterWithinTheTimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {   // holds the lease, takes connections, never answers
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Instances instances = mock(Instances.class);
            when(instances.shared()).thenReturn(true);
            when(instances.instanceId()).thenReturn("this-instance");
            when(instances.route("m1")).thenReturn(Optional.of("http://127.0.0.1:" + silent.getLocalPort()));
            ParamlabLimits limits = new ParamlabLimits(1000, 1000, 10, 32, 1000, DataSize.ofMegabytes(1), 1000);
            ForwardingFilter filter = new ForwardingFilter(instances, mock(JobStore.class), limits, Duration.ofMillis(800));

            AtomicBoolean servedHere = new AtomicBoolean();
            assertThat(forward(filter, servedHere).getStatus()).isEqualTo(503);   // the first also loads the HTTP client's classes
            long t0 = System.nanoTime();
            MockHttpServletResponse response = forward(filter, servedHere);
            long millis = (System.nanoTime() - t0) / 1_000_000;

            assertThat(millis).isBetween(750L, 2_000L);
            assertThat(response.getStatus()).isEqualTo(503);
            assertThat(response.getHeader("Retry-After")).isEqualTo("1");
            assertThat(response.getContentType()).startsWith("application/problem+json");
            assertThat(response.getContentAsString()).contains("urn:paramlab:problem:instance-timeout")
                    .contains("800 ms").contains("paramlab.instance.forward-timeout");
            assertThat(servedHere).as("nothing was done here").isFalse();
            assertThat(accepted).as("the holder was asked").isNotEmpty();
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static MockHttpServletResponse forward(ForwardingFilter filter, AtomicBoolean servedHere) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("PATCH", "/api/v1/models/m1");
        request.setContentType("application/json");
        request.setContent("{\"name\": \"renamed\"}".getBytes());
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> servedHere.set(true));
        return response;
    }

    @Test
    void unsetTheTimeoutIsTheRequestTimeAndFiveSeconds() {
        ParamlabLimits limits = new ParamlabLimits(1000, 1000, 10, 32, 1000, DataSize.ofMegabytes(1), 1000);
        ForwardingFilter filter = new ForwardingFilter(mock(Instances.class), mock(JobStore.class), limits, null);
        assertThat(filter).extracting("answerTimeout").isEqualTo(Duration.ofSeconds(35));
    }
}
