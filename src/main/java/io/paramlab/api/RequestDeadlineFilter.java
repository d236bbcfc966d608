package io.paramlab.api;

import io.paramlab.model.ParamlabLimits;
import io.paramlab.tensor.Deadline;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;

import java.io.IOException;

/**
 * Gives every request paramlab.limits.max-request-time, from the moment it reaches the service
 * (waiting for a model's lock counts): long work checks it at safe points and stops, rolled back,
 * with a 503 problem, so nothing keeps a CPU and a write lock for a client that stopped waiting.
 */
@Component
class RequestDeadlineFilter extends ApiFilter {
    private final long maxNanos;
    private final long maxTransferNanos;

    RequestDeadlineFilter(ParamlabLimits limits, io.paramlab.model.StateDictLimits stateDictLimits) {
        this.maxNanos = limits.maxRequestTime().toNanos();
        this.maxTransferNanos = stateDictLimits.maxTransferTime().toNanos();
    }

    /** A stored state dict's upload, or its download as a file: bounded by max-transfer-time, not max-request-time. */
    static boolean isTransfer(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (BodySizeLimitFilter.isStateDictUpload(request)) {
            return true;
        }
        String query = request.getQueryString();
        return "GET".equals(request.getMethod()) && path.startsWith("/api/v1/state-dicts/") && path.indexOf('/', 20) < 0
                && query != null && (query.contains("format=safetensors") || query.contains("format=pt"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try (Deadline.Scope scope = Deadline.start(isTransfer(request) ? maxTransferNanos : maxNanos)) {
            chain.doFilter(request, response);
        }
    }
}
