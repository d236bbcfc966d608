package io.paramlab.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.io.IOException;

/**
 * The open mode's whole security filter: what Spring Security's {@code FilterChainProxy} does to a
 * request that no chain matches, and nothing else. The firewall ({@link Firewall#strict()}, the same
 * rules as the secured mode's) checks the request and wraps it, so that every header read later is
 * checked too; a {@link RequestRejectedException} anywhere in the chain is the same 400 as
 * Spring Security's default handler's. What it leaves out is what a request of the open mode never
 * needed: the path parsed once more for chain matchers that match nothing, the chain lookup, and
 * the composite and decorator filters around them (about a tenth of the chapter's forward).
 */
final class OpenModeFirewall implements Filter {
    /** The open mode's chain matches no request: its matcher, recognised by identity. */
    static final RequestMatcher NO_REQUEST = request -> false;
    private final HttpFirewall firewall = Firewall.strict();
    private final RequestRejectedHandler rejected = new HttpStatusRequestRejectedHandler();

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) servletRequest;
        HttpServletResponse response = (HttpServletResponse) servletResponse;
        try {
            chain.doFilter(firewall.getFirewalledRequest(request), firewall.getFirewalledResponse(response));
        } catch (IOException | ServletException | RuntimeException e) {
            RequestRejectedException refused = rejection(e);
            if (refused == null) {
                throw e;
            }
            rejected.handle(request, response, refused);
        }
    }

    /** The rejection in {@code e}'s causes, as FilterChainProxy looks for it; null when none. */
    private static RequestRejectedException rejection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RequestRejectedException r) {
                return r;
            }
            if (t instanceof ServletException s && s.getRootCause() != null && s.getRootCause() != s.getCause()) {
                RequestRejectedException inRoot = rejection(s.getRootCause());
                if (inRoot != null) {
                    return inRoot;
                }
            }
        }
        return null;
    }
}
