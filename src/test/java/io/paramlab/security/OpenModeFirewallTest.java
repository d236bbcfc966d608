package io.paramlab.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.web.firewall.FirewalledRequest;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The open mode's security filter is the firewall alone, and still the firewall: a request it refuses
 * is a 400 and reaches nothing; a header it refuses is a 400 when the handler reads it; every other
 * request goes on wrapped, so that its header reads are checked.
 */
class OpenModeFirewallTest {
    private final OpenModeFirewall filter = new OpenModeFirewall();

    @Test
    void aPathTheFirewallRefusesIsA400AndReachesNothing() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<Object> reached = new AtomicReference<>();
        filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/models;jsessionid=1"), response, (req, res) -> reached.set(req));
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(reached.get()).isNull();
    }

    @Test
    void aHeaderTheFirewallRefusesIsA400WhenItIsRead() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models/x/forward");
        request.addHeader("X-Bad", "a\u0085b");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> ((HttpServletRequest) req).getHeader("X-Bad"));
        assertThat(response.getStatus()).isEqualTo(400);
    }

    @Test
    void aRejectionWrappedInAServletExceptionIsFoundToo() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models/x/forward");
        request.addHeader("X-Bad", "a\u0085b");
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain chain = (req, res) -> {
            try {
                ((HttpServletRequest) req).getHeader("X-Bad");
            } catch (RuntimeException e) {
                throw new ServletException("handler failed", e);
            }
        };
        filter.doFilter(request, response, chain);
        assertThat(response.getStatus()).isEqualTo(400);
    }

    @Test
    void aCleanRequestGoesOnThroughTheFirewall() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<Object> reached = new AtomicReference<>();
        filter.doFilter(new MockHttpServletRequest("POST", "/api/v1/models/x/forward"), response, (req, res) -> reached.set(req));
        assertThat(reached.get()).isInstanceOf(FirewalledRequest.class);
        assertThat(response.getStatus()).isEqualTo(200);
    }

    /** The service in its default (open) mode installs this filter as Spring Security's servlet filter. */
    @Nested
    @SpringBootTest
    class Installed {
        @Autowired
        @Qualifier("springSecurityFilterChain")
        jakarta.servlet.Filter securityFilter;

        @Test
        void theOpenModeInstallsTheFirewallAlone() {
            assertThat(securityFilter).isInstanceOf(OpenModeFirewall.class);
        }
    }
}
