package io.paramlab.security;

import io.paramlab.model.Access;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code paramlab.security.tokens[i].name|role|sha256}: named bearer tokens, each by the hex SHA-256
 * of its value; the value itself is never configured, so neither the configuration nor a heap dump
 * gives a usable token. Checked at start: a bad entry stops the service with the entry named.
 */
@ConfigurationProperties("paramlab.security")
public record AccessProperties(List<Token> tokens) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** One token: its name (history's actor, an owner), its role, the hex SHA-256 of its value. */
    public record Token(String name, String role, String sha256) {
    }

    public AccessProperties {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            String at = "paramlab.security.tokens[" + i + "]";
            if (token.name() == null || token.name().isBlank()) {
                throw new IllegalStateException(at + ".name is missing (PARAMLAB_SECURITY_TOKENS_" + i + "_NAME)");
            }
            if (token.name().equals(io.paramlab.model.RequestContext.ANONYMOUS)) {
                throw new IllegalStateException(at + ".name may not be \"anonymous\", the open mode's owner");
            }
            access(token.role(), at);
            if (token.sha256() == null || !SHA256.matcher(token.sha256()).matches()) {
                throw new IllegalStateException(at + ".sha256 must be 64 hex digits, the SHA-256 of the token"
                        + " (printf %s \"$TOKEN\" | sha256sum); the token itself is never configured");
            }
            if (!names.add(token.name())) {
                throw new IllegalStateException(at + ".name \"" + token.name() + "\" is configured twice");
            }
            if (!hashes.add(token.sha256().toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException(at + ".sha256 is the hash of another configured token");
            }
        }
    }

    /** {@code read}, {@code write} or {@code admin}, any case. */
    static Access access(String role, String at) {
        for (Access access : Access.values()) {
            if (access.role().equals(role == null ? "" : role.trim().toLowerCase(Locale.ROOT))) {
                return access;
            }
        }
        throw new IllegalStateException(at + ".role is \"" + role + "\"; it must be read, write or admin");
    }
}
