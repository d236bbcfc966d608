package io.paramlab.model;

/**
 * Who is asking and what they expect, for the changes a request makes on its own thread: the
 * actor's name for history, and the version of an {@code If-Match} header, checked inside the
 * change's lock so that it holds against concurrent writers. Set by the API for each request.
 */
public final class RequestContext {
    private static final ThreadLocal<RequestContext> CURRENT = ThreadLocal.withInitial(() -> new RequestContext("anonymous", null));
    private final String actor;
    private final Long expectedVersion;

    public RequestContext(String actor, Long expectedVersion) {
        this.actor = actor;
        this.expectedVersion = expectedVersion;
    }

    public static RequestContext current() {
        return CURRENT.get();
    }

    public static void set(RequestContext context) {
        CURRENT.set(context);
    }

    public static void clear() {
        CURRENT.remove();
    }

    public String actor() {
        return actor;
    }

    /** The version an {@code If-Match} header names, or null. */
    public Long expectedVersion() {
        return expectedVersion;
    }
}
