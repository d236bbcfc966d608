package io.paramlab.api;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spring MVC's handler lookup, with each mapping's literal path segments compared before its
 * conditions. A path that holds an id ({@code /api/v1/models/{id}/forward}) has no direct match, so
 * Spring MVC tries the request against every mapping: the method, params, headers, consumes,
 * produces and version conditions, then the patterns. A mapping none of whose patterns can match
 * the path (another segment count, another literal segment) is now skipped at once. The skip only
 * ever says no where the patterns would say no too, so the match, the best-match order and the
 * partial matches behind a 405 or 415 (computed by Spring MVC from the mappings themselves) stay.
 */
final class LiteralSegmentMapping extends RequestMappingHandlerMapping {
    // the request's path segments (decoded, without matrix variables), split once per lookup; null: compare nothing
    private static final ThreadLocal<String[]> SEGMENTS = new ThreadLocal<>();
    // what each mapping's patterns require of a path, worked out at its first request
    private final Map<RequestMappingInfo, Skeleton[]> skeletons = new ConcurrentHashMap<>();

    @Override
    protected HandlerMethod getHandlerInternal(HttpServletRequest request) throws Exception {
        return lookingUp(request, () -> super.getHandlerInternal(request));
    }

    /** Runs a lookup with the request's segments split once for every mapping it tries. */
    static <T> T lookingUp(HttpServletRequest request, Callable<T> lookup) throws Exception {
        SEGMENTS.set(ServletRequestPathUtils.hasParsedRequestPath(request)
                ? segments(ServletRequestPathUtils.getParsedRequestPath(request)) : null);
        try {
            return lookup.call();
        } finally {
            SEGMENTS.remove();
        }
    }

    @Override
    protected RequestMappingInfo getMatchingMapping(RequestMappingInfo info, HttpServletRequest request) {
        String[] segments = SEGMENTS.get();
        if (segments != null && info.getPathPatternsCondition() != null && cannotMatch(info, segments)) {
            return null;
        }
        return super.getMatchingMapping(info, request);
    }

    private boolean cannotMatch(RequestMappingInfo info, String[] segments) {
        Skeleton[] required = skeletons.get(info);   // get first: computeIfAbsent's method reference is a new object per call
        if (required == null) {
            required = skeletons.computeIfAbsent(info, this::skeletons);
        }
        if (required.length == 0) {
            return false;
        }
        for (Skeleton skeleton : required) {
            if (skeleton.admits(segments)) {
                return false;
            }
        }
        return true;
    }

    /** The path's segments as patterns compare them; null for the root, an empty segment or a trailing slash (left to Spring MVC). */
    static String[] segments(RequestPath path) {
        List<PathContainer.Element> elements = path.pathWithinApplication().elements();
        List<String> out = new ArrayList<>(elements.size() / 2 + 1);
        boolean separatorLast = false;
        for (PathContainer.Element element : elements) {
            if (element instanceof PathContainer.Separator) {
                if (separatorLast) {
                    return null;
                }
                separatorLast = true;
            } else {
                separatorLast = false;
                out.add(((PathContainer.PathSegment) element).valueToMatch());
            }
        }
        return separatorLast || out.isEmpty() ? null : out.toArray(String[]::new);
    }

    /** One per pattern; empty (never skip) when a pattern is not a plain "/"-separated one, or literals ignore case. */
    private Skeleton[] skeletons(RequestMappingInfo info) {
        if (getPatternParser() == null || !getPatternParser().isCaseSensitive()) {
            return new Skeleton[0];
        }
        List<Skeleton> out = new ArrayList<>();
        for (PathPattern pattern : info.getPathPatternsCondition().getPatterns()) {
            Skeleton skeleton = Skeleton.of(pattern.getPatternString());
            if (skeleton == null) {
                return new Skeleton[0];
            }
            out.add(skeleton);
        }
        return out.toArray(Skeleton[]::new);
    }

    /**
     * A pattern's segments: the literal text of each literal one, null for one with a variable or
     * wildcard; {@code open} when the pattern ends in a multi-segment wildcard ({@code **}, {@code {*rest}}).
     */
    private record Skeleton(String[] literals, boolean open) {
        static Skeleton of(String pattern) {
            if (!pattern.startsWith("/") || pattern.contains("//") || pattern.contains(";")) {
                return null;
            }
            String[] parts = pattern.substring(1).split("/", -1);
            if (pattern.equals("/") || parts[parts.length - 1].isEmpty()) {
                return null;   // the root and trailing slashes: left to Spring MVC
            }
            List<String> literals = new ArrayList<>();
            for (String part : parts) {
                if (part.equals("**") || part.startsWith("{*")) {
                    return new Skeleton(literals.toArray(String[]::new), true);
                }
                boolean literal = part.indexOf('{') < 0 && part.indexOf('}') < 0 && part.indexOf('*') < 0
                        && part.indexOf('?') < 0 && part.indexOf('\\') < 0;
                literals.add(literal ? part : null);
            }
            return new Skeleton(literals.toArray(String[]::new), false);
        }

        /** False only when the path certainly does not match: another segment count or literal. */
        boolean admits(String[] segments) {
            if (open ? segments.length < literals.length : segments.length != literals.length) {
                return false;
            }
            for (int i = 0; i < literals.length; i++) {
                if (literals[i] != null && !literals[i].equals(segments[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
