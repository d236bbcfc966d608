package io.paramlab.security;

import io.paramlab.model.Access;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/** A caller that presented one of the configured tokens: known by the token's name, never by the token. */
final class NamedTokenAuthentication extends AbstractAuthenticationToken {
    private final String name;

    NamedTokenAuthentication(String name, Access access) {
        super(Roles.authorities(access));
        this.name = name;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return null;   // the token is not kept past the comparison
    }

    @Override
    public Object getPrincipal() {
        return name;
    }

    @Override
    public String getName() {
        return name;
    }
}
