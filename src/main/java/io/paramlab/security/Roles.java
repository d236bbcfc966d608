package io.paramlab.security;

import io.paramlab.model.Access;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.ArrayList;
import java.util.List;

/**
 * A role as Spring Security authorities, each role granting the ones below it ({@code admin} holds
 * ROLE_ADMIN, ROLE_WRITE and ROLE_READ), so that the role table and
 * {@code HttpServletRequest.isUserInRole} need no hierarchy.
 */
final class Roles {
    private Roles() {
    }

    static List<GrantedAuthority> authorities(Access access) {
        List<GrantedAuthority> granted = new ArrayList<>();
        for (Access a : Access.values()) {
            if (access.atLeast(a)) {
                granted.add(new SimpleGrantedAuthority("ROLE_" + a.name()));
            }
        }
        return granted;
    }
}
