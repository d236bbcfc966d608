package io.paramlab.security;

import io.paramlab.model.Access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The configured tokens by hash. A presented token is hashed and compared with every entry in
 * constant time (MessageDigest.isEqual, and no early exit), so the answer's timing tells nothing
 * about how close a guess came or which entry matched.
 */
final class TokenTable {
    record Entry(String name, Access access, byte[] sha256) {
    }

    private final List<Entry> entries;

    TokenTable(AccessProperties properties) {
        this.entries = properties.tokens().stream().map(t -> new Entry(t.name(),
                AccessProperties.access(t.role(), "paramlab.security.tokens"), HexFormat.of().parseHex(t.sha256()))).toList();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Optional<Entry> find(String token) {
        byte[] presented = sha256(token);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), presented) && found == null) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
