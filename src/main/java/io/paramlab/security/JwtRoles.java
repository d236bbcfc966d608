package io.paramlab.security;

import io.paramlab.model.Access;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A JWT's roles from its {@code scope} (or {@code scp}) claim: {@code paramlab.read},
 * {@code paramlab.write}, {@code paramlab.admin}; other scopes grant nothing here. The caller's
 * name is the {@code sub} claim.
 */
final class JwtRoles implements Converter<Jwt, Collection<GrantedAuthority>> {
    static final String PREFIX = "paramlab.";

    static JwtAuthenticationConverter converter() {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(new JwtRoles());
        return converter;
    }

    @Override
    public Collection<GrantedAuthority> convert(Jwt jwt) {
        Set<GrantedAuthority> granted = new LinkedHashSet<>();
        for (String scope : scopes(jwt)) {
            for (Access access : Access.values()) {
                if (scope.equals(PREFIX + access.role())) {
                    granted.addAll(Roles.authorities(access));
                }
            }
        }
        return granted;
    }

    private static List<String> scopes(Jwt jwt) {
        for (String claim : List.of("scope", "scp")) {
            Object value = jwt.getClaims().get(claim);
            if (value instanceof String s) {
                return List.of(s.trim().split("\\s+"));
            }
            if (value instanceof Collection<?> c) {
                return c.stream().map(String::valueOf).toList();
            }
        }
        return List.of();
    }
}
