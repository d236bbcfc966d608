package io.paramlab.api;

import io.paramlab.model.Access;
import io.paramlab.model.RequestContext;
import io.paramlab.spec.InvalidInputException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Versions on the wire: {@code ETag: "<version>"} on reads, and a request's {@code If-Match}
 * handed to the model layer (through {@link RequestContext}), which checks it inside the change's
 * lock so that two clients editing one model cannot overwrite each other unseen; and the caller, for
 * history, ownership and quotas.
 */
final class Versions implements HandlerInterceptor {

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** The tag of a binary rendering: {@code "7-safetensors"}. */
    static String etag(long version, String format) {
        return "\"" + version + "-" + format + "\"";
    }

    /**
     * A read of a model's state answered with the {@code ETag} of the version it read (the version is
     * taken under the same read lock as the values), or 304 when {@code If-None-Match} names it; no
     * {@code ETag} while a job holds the model (its values change at every step).
     */
    static <T> org.springframework.http.ResponseEntity<T> versioned(io.paramlab.model.LiveModel model, HttpServletRequest request,
                                                                    java.util.function.Supplier<T> read) {
        Views.Versioned<T> answer = model.read(() -> new Views.Versioned<>(model.version(), read.get()));
        if (model.heldBy() != null) {
            return org.springframework.http.ResponseEntity.ok(answer.value());
        }
        String etag = etag(answer.version());
        if (matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            return org.springframework.http.ResponseEntity.status(org.springframework.http.HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        return org.springframework.http.ResponseEntity.ok().eTag(etag).body(answer.value());
    }

    /** Whether an {@code If-None-Match} header names {@code etag} (or is {@code *}). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        RequestContext.set(new RequestContext(actor(request), access(request), expectedVersion(request)));
        return true;
    }

    /**
     * The caller as the servlet request knows it (Spring Security fills it in; the api needs no more of
     * it): a token's name, a JWT's subject, or {@code anonymous} in the open mode, which acts as admin.
     */
    static String actor(HttpServletRequest request) {
        return request.getUserPrincipal() == null ? RequestContext.ANONYMOUS : request.getUserPrincipal().getName();
    }

    /** The highest role the request holds; a named caller with none of them may only read. */
    private static Access access(HttpServletRequest request) {
        if (request.getUserPrincipal() == null) {
            return Access.ADMIN;   // no access control: the open mode, where anonymous owns and may change everything
        }
        for (Access access : new Access[] {Access.ADMIN, Access.WRITE}) {
            if (request.isUserInRole(access.name())) {
                return access;
            }
        }
        return Access.READ;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        RequestContext.clear();
    }

    /** {@code If-Match: "7"} (or a weak or suffixed tag of version 7) on a request that may change a model; {@code *} matches any. */
    private static Long expectedVersion(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.IF_MATCH);
        if (header == null || HttpMethod.GET.matches(request.getMethod()) || header.trim().equals("*")) {
            return null;
        }
        String tag = header.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
            tag = tag.substring(1, tag.length() - 1);
        }
        int dash = tag.indexOf('-');
        try {
            return Long.parseLong(dash > 0 ? tag.substring(0, dash) : tag);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("If-Match", "must be a version's entity tag such as \"7\", got " + Messages.quoted(header));
        }
    }
}
