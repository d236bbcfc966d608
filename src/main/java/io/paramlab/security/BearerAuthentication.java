package io.paramlab.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * A bearer token is a configured token (by its hash) or, when a JWT issuer is configured, a JWT it
 * signed; anything else is a 401. The refusal never quotes the token.
 */
final class BearerAuthentication implements AuthenticationProvider {
    private final TokenTable tokens;
    private final AuthenticationProvider jwt;   // null without an issuer

    BearerAuthentication(TokenTable tokens, AuthenticationProvider jwt) {
        this.tokens = tokens;
        this.jwt = jwt;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        var named = tokens.find(token);
        if (named.isPresent()) {
            return new NamedTokenAuthentication(named.get().name(), named.get().access());
        }
        if (jwt != null) {
            return jwt.authenticate(authentication);
        }
        throw new InvalidBearerTokenException("the bearer token is not one of the configured tokens");
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
