package io.paramlab.model;

/** A request the model's current state does not allow (409), e.g. a step without an optimizer. */
public class ConflictException extends RuntimeException {
    private final String slug;

    public ConflictException(String slug, String message) {
        super(message);
        this.slug = slug;
    }

    /** The problem's stable name: {@code no-optimizer}, {@code no-scheduler}. */
    public String slug() {
        return slug;
    }
}
