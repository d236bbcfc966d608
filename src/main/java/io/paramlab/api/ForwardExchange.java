package io.paramlab.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.validation.annotation.ValidationAnnotationUtils;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor;

import java.io.IOException;
import java.lang.annotation.Annotation;

/**
 * The forward's body and answer on the common request, without Spring MVC's per-request
 * negotiation: a body that has a length and a Content-Type {@link ForwardJson} reads (the first
 * converter, so the one Spring MVC would pick) is read by it straight from the request; an answer to a
 * request that accepts anything is written by it as {@code application/json} (what Spring MVC selects
 * for {@code Accept} absent or {@code *}{@code /*}). Every other case (no length, chunked, no or another
 * Content-Type, another Accept, a {@code produces}, a Content-Type already set, a path Spring MVC would
 * give a Content-Disposition) goes to Spring MVC's own {@link RequestResponseBodyMethodProcessor}.
 * What is skipped is what could change nothing for these two types: the converter search, the
 * empty-body probe (a positive Content-Length), the body advice (only {@code @JsonView}, which the
 * forward does not carry), validation (the parameter carries no validation annotation, and the record
 * declares no constraint: {@code ForwardJsonTest}) and the binding result left in the model of a
 * {@code @ResponseBody} handler.
 */
final class ForwardExchange implements HandlerMethodArgumentResolver, HandlerMethodReturnValueHandler {
    private static final ResolvableType ANSWER = ResolvableType.forClass(ComputeController.ForwardResponse.class);
    private final ForwardJson json;
    // Spring MVC's processors: the adapter's argument resolver and its return value handler (another instance, with the content negotiation)
    private final RequestResponseBodyMethodProcessor reading;
    private final RequestResponseBodyMethodProcessor writing;

    ForwardExchange(ForwardJson json, RequestResponseBodyMethodProcessor reading, RequestResponseBodyMethodProcessor writing) {
        this.json = json;
        this.reading = reading;
        this.writing = writing;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        if (parameter.getParameterType() != ComputeController.ForwardRequest.class || !parameter.hasParameterAnnotation(RequestBody.class)
                || !parameter.getParameterAnnotation(RequestBody.class).required()) {
            return false;
        }
        for (Annotation annotation : parameter.getParameterAnnotations()) {
            if (ValidationAnnotationUtils.determineValidationHints(annotation) != null) {
                return false;   // a validated body: Spring MVC's way
            }
        }
        return true;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest webRequest,
                                  WebDataBinderFactory binders) throws Exception {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        if (request == null || request.getContentLengthLong() <= 0 || !readable(request.getContentType())) {
            return reading.resolveArgument(parameter, mav, webRequest, binders);
        }
        Object body;
        try {
            body = json.readForward(request.getInputStream(), () -> new ServletServerHttpRequest(request));
        } catch (IOException e) {   // as Spring MVC words it
            throw new HttpMessageNotReadableException("I/O error while reading input message", e, new ServletServerHttpRequest(request));
        }
        if (body == null) {   // a JSON null
            throw new HttpMessageNotReadableException("Required request body is missing: " + parameter.getExecutable().toGenericString(),
                    new ServletServerHttpRequest(request));
        }
        return body;
    }

    /** A Content-Type the forward's converter reads, in UTF-8. */
    private boolean readable(String header) {
        if (header == null) {
            return false;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
        return ForwardJson.utf8(type) && json.canRead(ComputeController.ForwardRequest.class, type);
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return returnType.getParameterType() == ComputeController.ForwardResponse.class && writing.supportsReturnType(returnType);
    }

    @Override
    public void handleReturnValue(Object value, MethodParameter returnType, ModelAndViewContainer mav, NativeWebRequest webRequest)
            throws Exception {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        HttpServletResponse response = webRequest.getNativeResponse(HttpServletResponse.class);
        if (!(value instanceof ComputeController.ForwardResponse) || request == null || response == null || !acceptsAnything(request)
                || request.getAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE) != null || response.getContentType() != null
                || !request.getRequestURI().endsWith("/forward")) {
            writing.handleReturnValue(value, returnType, mav, webRequest);
            return;
        }
        mav.setRequestHandled(true);
        json.write(value, ANSWER, MediaType.APPLICATION_JSON, new ServletServerHttpResponse(response), null);
    }

    private static boolean acceptsAnything(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        if (accept == null) {
            return true;
        }
        java.util.Enumeration<String> values = request.getHeaders("Accept");
        values.nextElement();
        return accept.equals("*/*") && !values.hasMoreElements();
    }

    /** Whether a {@code @ControllerAdvice} reads or rewrites bodies: then every body takes Spring MVC's way, through it. */
    private static boolean bodyAdvice(org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter adapter) {
        org.springframework.context.ApplicationContext context = adapter.getApplicationContext();
        return context != null && org.springframework.web.method.ControllerAdviceBean.findAnnotatedBeans(context).stream()
                .map(org.springframework.web.method.ControllerAdviceBean::getBeanType)
                .anyMatch(type -> type != null && (org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdvice.class.isAssignableFrom(type)
                        || org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice.class.isAssignableFrom(type)));
    }

    /**
     * Puts the exchange first in the adapter's argument resolvers and return value handlers; nothing when
     * {@link ForwardJson} is not its first converter or a {@code @ControllerAdvice} is body advice.
     */
    static void install(org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter adapter) {
        ForwardJson json = adapter.getMessageConverters().stream().filter(ForwardJson.class::isInstance).map(ForwardJson.class::cast)
                .findFirst().orElse(null);
        java.util.List<HandlerMethodArgumentResolver> resolvers = adapter.getArgumentResolvers();
        java.util.List<HandlerMethodReturnValueHandler> handlers = adapter.getReturnValueHandlers();
        if (json == null || resolvers == null || handlers == null || adapter.getMessageConverters().get(0) != json || bodyAdvice(adapter)) {
            return;
        }
        RequestResponseBodyMethodProcessor reading = resolvers.stream().filter(RequestResponseBodyMethodProcessor.class::isInstance)
                .map(RequestResponseBodyMethodProcessor.class::cast).findFirst().orElse(null);
        RequestResponseBodyMethodProcessor writing = handlers.stream().filter(RequestResponseBodyMethodProcessor.class::isInstance)
                .map(RequestResponseBodyMethodProcessor.class::cast).findFirst().orElse(null);
        if (reading == null || writing == null) {
            return;
        }
        ForwardExchange exchange = new ForwardExchange(json, reading, writing);
        java.util.List<HandlerMethodArgumentResolver> newResolvers = new java.util.ArrayList<>(resolvers);
        newResolvers.add(0, exchange);
        adapter.setArgumentResolvers(newResolvers);
        java.util.List<HandlerMethodReturnValueHandler> newHandlers = new java.util.ArrayList<>(handlers);
        newHandlers.add(0, exchange);
        adapter.setReturnValueHandlers(newHandlers);
    }
}
