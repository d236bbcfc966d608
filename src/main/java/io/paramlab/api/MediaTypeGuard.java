package io.paramlab.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpEntity;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content negotiation decided before any work: a request whose body the handler cannot read
 * (415) or whose Accept the handler cannot answer (406) is refused before the handler runs, so
 * such a failure changes nothing. Spring MVC alone reads the body first (a wildcard or form
 * Content-Type then fails as a 500) and negotiates the answer only after the work is committed.
 * Error answers are problem JSON whatever the Accept.
 */
class MediaTypeGuard implements HandlerInterceptor {
    /** Content types remembered per handler; past this many, the rest are checked each time (the header is the client's). */
    static final int MAX_CONTENT_TYPES = 16;
    private final ObjectProvider<RequestMappingHandlerAdapter> adapter;
    // what depends only on the handler and the converters (fixed once the context runs), worked out at its first request
    private final Map<HandlerKey, HandlerTypes> handlers = new ConcurrentHashMap<>();

    MediaTypeGuard(ObjectProvider<RequestMappingHandlerAdapter> adapter) {
        this.adapter = adapter;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws HttpMediaTypeNotSupportedException, HttpMediaTypeNotAcceptableException, java.io.IOException {
        String accept = request.getHeader("Accept");
        if (accept != null && !parses(accept)) {
            // written here: Spring would negotiate even its error answer against the header it cannot read, and send nothing
            ProblemJson.write(response, Problems.problem(org.springframework.http.HttpStatus.NOT_ACCEPTABLE, "not-acceptable",
                    "Not Acceptable", "Accept \"" + Messages.quoted(accept) + "\" is not a list of media types"));
            return false;
        }
        if (handler instanceof HandlerMethod method) {
            HandlerKey key = new HandlerKey(method.getBeanType(), method.getMethod());
            HandlerTypes known = handlers.get(key);   // get first: computeIfAbsent's lambda is a new object per call
            if (known == null) {
                known = handlers.computeIfAbsent(key, k -> handler(method));
            }
            checkContentType(request, known);
            checkAccept(request, known);
        }
        return true;
    }

    private record HandlerKey(Class<?> beanType, java.lang.reflect.Method method) {
    }

    /**
     * A handler's body type (null: no {@code @RequestBody}), the media types its body is readable
     * as (for the 415's list), the media types its converters write its answer as (empty: Spring MVC
     * decides), and the verdicts on the Content-Types met so far.
     */
    private record HandlerTypes(Class<?> bodyType, List<MediaType> readable, List<MediaType> writable,
                           Map<MediaType, Boolean> readableAs) {
    }

    private HandlerTypes handler(HandlerMethod method) {
        MethodParameter body = null;
        for (MethodParameter parameter : method.getMethodParameters()) {
            if (parameter.hasParameterAnnotation(RequestBody.class)) {
                body = parameter;
            }
        }
        Class<?> type = body == null ? null : body.getNestedParameterType();
        List<MediaType> readable = new ArrayList<>();
        if (type != null) {
            for (HttpMessageConverter<?> converter : converters()) {
                if (converter.canRead(type, null)) {
                    readable.addAll(converter.getSupportedMediaTypes(type));
                }
            }
        }
        return new HandlerTypes(type, concrete(readable), writable(method), new ConcurrentHashMap<>());
    }

    private static boolean parses(String accept) {
        try {
            org.springframework.http.MediaType.parseMediaTypes(accept);
            return true;
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            return false;
        }
    }

    private List<HttpMessageConverter<?>> converters() {
        return adapter.getObject().getMessageConverters();
    }

    private void checkContentType(HttpServletRequest request, HandlerTypes handler) throws HttpMediaTypeNotSupportedException {
        Class<?> type = handler.bodyType();
        String header = request.getContentType();
        if (type == null || header == null) {
            return;  // no body to read, or none declared: Spring MVC's own rules apply
        }
        MediaType contentType;
        try {
            contentType = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotSupportedException("Content-Type \"" + Messages.quoted(header) + "\" is not a media type");
        }
        Boolean readable = handler.readableAs().get(contentType);
        if (readable == null) {
            readable = contentType.isConcrete() && converters().stream().anyMatch(c -> c.canRead(type, contentType));
            if (handler.readableAs().size() < MAX_CONTENT_TYPES) {
                handler.readableAs().put(contentType, readable);
            }
        }
        if (!readable) {
            throw new HttpMediaTypeNotSupportedException(contentType, handler.readable(), org.springframework.http.HttpMethod.valueOf(request.getMethod()));
        }
    }

    private void checkAccept(HttpServletRequest request, HandlerTypes handler) throws HttpMediaTypeNotAcceptableException {
        if (request.getHeader("Accept") == null) {
            return;  // no Accept is */*, which every producible type is compatible with
        }
        List<MediaType> producible = producible(request, handler);
        if (producible.isEmpty()) {
            return;  // no body, or one no converter writes (event streams...): Spring MVC decides
        }
        List<MediaType> acceptable;
        try {
            List<String> values = Collections.list(request.getHeaders("Accept"));
            acceptable = values.isEmpty() ? List.of(MediaType.ALL) : MediaType.parseMediaTypes(values);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotAcceptableException("Accept \"" + Messages.quoted(request.getHeader("Accept")) + "\" is not a list of media types");
        }
        for (MediaType accept : acceptable) {
            if (accept.getQualityValue() > 0 && producible.stream().anyMatch(accept::isCompatibleWith)) {
                return;
            }
        }
        throw new HttpMediaTypeNotAcceptableException(new ArrayList<>(producible));
    }

    /** What the handler's answer can be written as: its mapping's {@code produces}, or what the converters write. */
    @SuppressWarnings("unchecked")
    private static List<MediaType> producible(HttpServletRequest request, HandlerTypes handler) {
        Object declared = request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE);
        if (declared instanceof Set<?> set && !set.isEmpty()) {
            return new ArrayList<>((Set<MediaType>) set);
        }
        return handler.writable();
    }

    /** What the converters write the handler's answer as; empty when none writes it, or only as wildcards. */
    private List<MediaType> writable(HandlerMethod method) {
        ResolvableType answer = ResolvableType.forMethodParameter(method.getReturnType());
        if (HttpEntity.class.isAssignableFrom(answer.toClass())) {
            answer = answer.as(HttpEntity.class).getGeneric(0);
        }
        Class<?> type = answer.toClass();
        if (type == void.class || type == Void.class || type == Object.class) {
            return List.of();
        }
        Set<MediaType> out = new LinkedHashSet<>();
        for (HttpMessageConverter<?> converter : converters()) {
            if (converter.canWrite(type, null)) {
                out.addAll(converter.getSupportedMediaTypes(type));
            }
        }
        return concrete(new ArrayList<>(out)).isEmpty() ? List.of() : List.copyOf(out);
    }

    private static List<MediaType> concrete(List<MediaType> types) {
        return types.stream().filter(t -> !t.isWildcardType()).distinct().toList();
    }
}
