package io.paramlab.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.io.IOException;

/**
 * TRACE is off: the servlet's default would echo the request, headers included, back to the
 * client. It never reaches Spring MVC (whose TRACE dispatch still falls back to the echo).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TraceRefusalFilter extends ApiFilter {
    static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"TRACE".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Allow", ALLOW);
        ProblemJson.write(response, Problems.forStatus(405, "Request method 'TRACE' is not supported"));
    }
}
