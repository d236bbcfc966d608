package io.paramlab.model;

/**
 * Who is asking and what they expect, for the changes a request makes on its own thread: the
 * caller's name (history's actor and a new model's owner) and {@link Access}, checked by
 * {@link Ownership} wherever a model changes, and the version of an {@code If-Match} header, checked
 * inside the change's lock so that it holds against concurrent writers. Set by the API for each
 * request and by a job's thread for its creator. Ownership fails closed: a thread that set nothing
 * is {@link #NOBODY}, who reads but changes nothing; work the service does on its own behalf says so
 * by setting {@link #SERVICE}.
 */
public final class RequestContext {
    public static final String ANONYMOUS = "anonymous";
    /** Outside a request, until a context is set: may read, may change nothing. */
    public static final RequestContext NOBODY = new RequestContext("nobody", Access.READ, null);
    /** The service itself, with {@code admin} access: only where it is set explicitly (tests, tools). */
    public static final RequestContext SERVICE = new RequestContext(ANONYMOUS, Access.ADMIN, null);
    private static final ThreadLocal<RequestContext> CURRENT = ThreadLocal.withInitial(() -> NOBODY);
    private final String actor;
    private final Access access;
    private final Long expectedVersion;

    public RequestContext(String actor, Access access, Long expectedVersion) {
        this.actor = actor;
        this.access = access;
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

    /** The caller's name: a token's configured name, a JWT's subject, or {@code anonymous}. */
    public String actor() {
        return actor;
    }

    public Access access() {
        return access;
    }

    /** The version an {@code If-Match} header names, or null. */
    public Long expectedVersion() {
        return expectedVersion;
    }
}
