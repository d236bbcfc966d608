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
import java.util.Set;

/**
 * Content negotiation decided before any work: a request whose body the handler cannot read
 * (415) or whose Accept the handler cannot answer (406) is refused before the handler runs, so
 * such a failure changes nothing. Spring MVC alone reads the body first (a wildcard or form
 * Content-Type then fails as a 500) and negotiates the answer only after the work is committed.
 * Error answers are problem JSON whatever the Accept.
 */
class MediaTypeGuard implements HandlerInterceptor {
    private final ObjectProvider<RequestMappingHandlerAdapter> adapter;

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
            checkContentType(request, method);
            checkAccept(request, method);
        }
        return true;
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

    private void checkContentType(HttpServletRequest request, HandlerMethod method) throws HttpMediaTypeNotSupportedException {
        MethodParameter body = null;
        for (MethodParameter parameter : method.getMethodParameters()) {
            if (parameter.hasParameterAnnotation(RequestBody.class)) {
                body = parameter;
            }
        }
        String header = request.getContentType();
        if (body == null || header == null) {
            return;  // no body to read, or none declared: Spring MVC's own rules apply
        }
        Class<?> type = body.getNestedParameterType();
        List<MediaType> readable = new ArrayList<>();
        for (HttpMessageConverter<?> converter : converters()) {
            if (converter.canRead(type, null)) {
                readable.addAll(converter.getSupportedMediaTypes(type));
            }
        }
        MediaType contentType;
        try {
            contentType = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotSupportedException("Content-Type \"" + Messages.quoted(header) + "\" is not a media type");
        }
        if (!contentType.isConcrete() || converters().stream().noneMatch(c -> c.canRead(type, contentType))) {
            throw new HttpMediaTypeNotSupportedException(contentType, concrete(readable), org.springframework.http.HttpMethod.valueOf(request.getMethod()));
        }
    }

    private void checkAccept(HttpServletRequest request, HandlerMethod method) throws HttpMediaTypeNotAcceptableException {
        List<MediaType> producible = producible(request, method);
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
        throw new HttpMediaTypeNotAcceptableException(producible);
    }

    /** What the handler's answer can be written as: its mapping's {@code produces}, or what the converters write. */
    @SuppressWarnings("unchecked")
    private List<MediaType> producible(HttpServletRequest request, HandlerMethod method) {
        Object declared = request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE);
        if (declared instanceof Set<?> set && !set.isEmpty()) {
            return new ArrayList<>((Set<MediaType>) set);
        }
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
        return concrete(new ArrayList<>(out)).isEmpty() ? List.of() : new ArrayList<>(out);
    }

    private static List<MediaType> concrete(List<MediaType> types) {
        return types.stream().filter(t -> !t.isWildcardType()).distinct().toList();
    }
}
