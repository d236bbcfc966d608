package io.paramlab.model;

/**
 * API.md's ownership rule, in one place for every resource with an owner (models now; datasets and
 * jobs call the same checks): {@code read} changes nothing, {@code write} changes what it owns,
 * {@code admin} changes anything. The HTTP layer refuses by role first; this holds for every path
 * into the model layer, whatever endpoint reaches it.
 */
public final class Ownership {
    private Ownership() {
    }

    /** The caller may create a resource (it will own it). */
    public static void checkCreate(String resource) {
        RequestContext caller = RequestContext.current();
        if (!caller.access().atLeast(Access.WRITE)) {
            throw new ForbiddenException(denied(caller, "create a " + resource, "write"));
        }
    }

    /**
     * The guard of every change of a model: the caller may change it. Every mutating path of the model
     * layer starts with it ({@link ModelRegistry#forChange}), and {@link LiveModel}'s one way to change a
     * model checks it again, so a path that forgets the first is still refused.
     */
    public static void checkChange(LiveModel model) {
        checkChange("model", model.id(), model.owner());
    }

    /** The caller may change {@code resource} {@code id}, owned by {@code owner} (null for a model older than owners). */
    public static void checkChange(String resource, String id, String owner) {
        RequestContext caller = RequestContext.current();
        if (caller.access().atLeast(Access.ADMIN)) {
            return;
        }
        if (!caller.access().atLeast(Access.WRITE)) {
            throw new ForbiddenException(denied(caller, "change " + resource + " " + id, "write"));
        }
        if (!caller.actor().equals(owner)) {
            throw new ForbiddenException("\"" + caller.actor() + "\" may not change " + resource + " " + id + ": it belongs to "
                    + (owner == null ? "nobody" : "\"" + owner + "\"") + ", and a write token changes only what it created (admin changes anything)");
        }
    }

    /** The caller may delete {@code resource} {@code id}: admin only. */
    public static void checkDelete(String resource, String id) {
        RequestContext caller = RequestContext.current();
        if (!caller.access().atLeast(Access.ADMIN)) {
            throw new ForbiddenException(denied(caller, "delete " + resource + " " + id, "admin"));
        }
    }

    private static String denied(RequestContext caller, String what, String needed) {
        return "\"" + caller.actor() + "\" has the role " + caller.access().role() + "; to " + what + " needs " + needed;
    }
}
