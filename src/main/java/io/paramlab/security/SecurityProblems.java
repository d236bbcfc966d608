package io.paramlab.security;

import io.paramlab.api.ProblemJson;
import io.paramlab.model.Access;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

import java.io.IOException;

/**
 * The filter chain's refusals as the API's other problems: 401 {@code unauthorized} with
 * {@code WWW-Authenticate: Bearer} (RFC 6750; {@code error="invalid_token"} when a token was
 * presented and refused), 403 {@code forbidden} for a role too low. Neither quotes the token.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        boolean presented = e instanceof InvalidBearerTokenException;
        response.setHeader("WWW-Authenticate", presented ? "Bearer error=\"invalid_token\"" : "Bearer");
        ProblemJson.writeBeforeBody(request, response, 401, "unauthorized", "Unauthorized", presented
                ? "the bearer token is unknown, expired or malformed"
                : "this request needs a token: Authorization: Bearer <token>");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) throws IOException {
        String role = request.isUserInRole("ADMIN") ? "admin" : request.isUserInRole("WRITE") ? "write"
                : request.isUserInRole("READ") ? "read" : "no role";
        String name = request.getUserPrincipal() == null ? "the caller" : "\"" + request.getUserPrincipal().getName() + "\"";
        Access needed = RoleTable.needed(request);
        ProblemJson.writeBeforeBody(request, response, 403, "forbidden", "Forbidden", name + " has the role " + role + "; " + request.getMethod() + " "
                + request.getRequestURI() + " needs " + (needed == null ? "another role" : needed.role()));
    }
}
