package io.paramlab.api;

import io.paramlab.model.ParamlabLimits;
import io.paramlab.tensor.Deadline;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Gives every request paramlab.limits.max-request-time, from the moment it reaches the service
 * (waiting for a model's lock counts): long work checks it at safe points and stops, rolled back,
 * with a 503 problem, so nothing keeps a CPU and a write lock for a client that stopped waiting.
 */
@Component
class RequestDeadlineFilter extends OncePerRequestFilter {
    private final long maxNanos;

    RequestDeadlineFilter(ParamlabLimits limits) {
        this.maxNanos = limits.maxRequestTime().toNanos();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try (Deadline.Scope scope = Deadline.start(maxNanos)) {
            chain.doFilter(request, response);
        }
    }
}
