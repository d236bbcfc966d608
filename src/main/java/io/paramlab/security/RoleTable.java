package io.paramlab.security;

import io.paramlab.model.Access;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * API.md's role table, first match wins: the health probes and the static files (web UI, Swagger UI,
 * the OpenAPI document) are public, the rest of the actuator needs admin; then by method, so that a
 * path no rule names (a new endpoint, an odd encoding of a known one) gets the method's role and never
 * less: reads need read, a forward needs read (the model layer refuses one that would write), a
 * DELETE needs admin, every other change needs write. Paths match as Spring MVC matches them
 * (decoded segments), so an encoded path cannot slip past a rule.
 */
final class RoleTable implements AuthorizationManager<RequestAuthorizationContext> {
    private record Rule(RequestMatcher matcher, Access needs) {   // needs null: public
    }

    private static final PathPatternRequestMatcher.Builder PATHS = PathPatternRequestMatcher.withDefaults();
    private static final List<Rule> RULES = rules();

    private static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (String path : List.of("/actuator/health", "/actuator/health/**", "/", "/ui", "/ui/**", "/swagger-ui.html",
                "/swagger-ui/**", "/v3/api-docs", "/v3/api-docs/**", "/webjars/**", "/favicon.ico")) {
            rules.add(new Rule(PATHS.matcher(HttpMethod.GET, path), null));
            rules.add(new Rule(PATHS.matcher(HttpMethod.HEAD, path), null));
        }
        rules.add(new Rule(PATHS.matcher("/actuator"), Access.ADMIN));
        rules.add(new Rule(PATHS.matcher("/actuator/**"), Access.ADMIN));
        rules.add(new Rule(PATHS.matcher(HttpMethod.POST, "/api/v1/models/*/forward"), Access.READ));
        for (HttpMethod read : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS)) {
            rules.add(new Rule(PATHS.matcher(read, "/**"), Access.READ));
        }
        // a stored state dict is deleted by its owner (write) or admin; the model layer checks which
        rules.add(new Rule(PATHS.matcher(HttpMethod.DELETE, "/api/v1/state-dicts/*"), Access.WRITE));
        rules.add(new Rule(PATHS.matcher(HttpMethod.DELETE, "/**"), Access.ADMIN));
        return rules;
    }

    /** The role a request needs, or null when it is public. */
    static Access needed(HttpServletRequest request) {
        for (Rule rule : RULES) {
            if (rule.matcher().matches(request)) {
                return rule.needs();
            }
        }
        return Access.WRITE;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Access needs = needed(context.getRequest());
        if (needs == null) {
            return new AuthorizationDecision(true);
        }
        return AuthorityAuthorizationManager.<RequestAuthorizationContext>hasRole(needs.name()).authorize(authentication, context);
    }
}
