package io.paramlab.model;

/**
 * What a caller may do, as API.md's roles: {@code read} reads everything (and runs a forward that
 * changes nothing), {@code write} also changes what it owns, {@code admin} changes and deletes anything.
 */
public enum Access {
    READ, WRITE, ADMIN;

    public boolean atLeast(Access other) {
        return compareTo(other) >= 0;
    }

    /** The role's name on the wire and in configuration: {@code read}, {@code write}, {@code admin}. */
    public String role() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
