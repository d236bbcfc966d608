package io.paramlab.api;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.servlet.mvc.condition.PathPatternsRequestCondition;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import org.springframework.web.util.pattern.PathPattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    // what each mapping's patterns require of a path, worked out at its first request
    private final Map<RequestMappingInfo, Skeleton[]> skeletons = new ConcurrentHashMap<>();

    @Override
    protected RequestMappingInfo getMatchingMapping(RequestMappingInfo info, HttpServletRequest request) {
        if (cannotMatch(info, request)) {
            return null;
        }
        return super.getMatchingMapping(info, request);
    }

    private boolean cannotMatch(RequestMappingInfo info, HttpServletRequest request) {
        PathPatternsRequestCondition patterns = info.getPathPatternsCondition();
        if (patterns == null || !ServletRequestPathUtils.hasParsedRequestPath(request)) {
            return false;
        }
        RequestPath path = ServletRequestPathUtils.getParsedRequestPath(request);
        Skeleton[] required = skeletons.computeIfAbsent(info, this::skeletons);
        if (required.length == 0) {
            return false;
        }
        List<PathContainer.Element> elements = path.pathWithinApplication().elements();
        for (Skeleton skeleton : required) {
            if (skeleton.admits(elements)) {
                return false;
            }
        }
        return true;
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
        boolean admits(List<PathContainer.Element> elements) {
            int segment = 0;
            boolean separatorLast = false;
            for (PathContainer.Element element : elements) {
                if (element instanceof PathContainer.Separator) {
                    if (separatorLast) {
                        return true;   // an empty segment: left to Spring MVC
                    }
                    separatorLast = true;
                    continue;
                }
                separatorLast = false;
                if (segment >= literals.length) {
                    return open;
                }
                String literal = literals[segment++];
                if (literal != null && !literal.equals(((PathContainer.PathSegment) element).valueToMatch())) {
                    return false;
                }
            }
            if (separatorLast && segment > 0) {
                return true;   // a trailing slash: left to Spring MVC
            }
            return segment == literals.length || open && segment >= literals.length;
        }
    }
}
