package io.paramlab.api;

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
 * lock so that two clients editing one model cannot overwrite each other unseen.
 */
final class Versions implements HandlerInterceptor {

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        RequestContext.set(new RequestContext("anonymous", expectedVersion(request)));
        return true;
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
