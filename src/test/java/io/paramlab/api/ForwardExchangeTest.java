package io.paramlab.api;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.accept.ContentNegotiationManager;
import org.springframework.web.bind.support.DefaultDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.JsonViewRequestBodyAdvice;
import org.springframework.web.servlet.mvc.method.annotation.JsonViewResponseBodyAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forward's body and answer through {@link ForwardExchange} are what Spring MVC's own
 * {@code @RequestBody} / {@code @ResponseBody} processor makes of the same request: the same value or
 * the same error, the same status, headers and bytes; and the common request (a JSON body with a
 * length, no Accept or {@code *}{@code /*}) does not reach Spring MVC's processor.
 */
class ForwardExchangeTest {
    private static final JsonMapper MAPPER = mapper();
    private static final JacksonJsonHttpMessageConverter BOOT = new JacksonJsonHttpMessageConverter(MAPPER);
    private static final ForwardJson FORWARD = new ForwardJson(BOOT);
    private static final List<HttpMessageConverter<?>> CONVERTERS = List.of(FORWARD, BOOT);
    private static final MethodParameter BODY;
    private static final MethodParameter ANSWER;
    private static final String X = "{\"input\": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}";

    static {
        Method forward = Arrays.stream(ComputeController.class.getDeclaredMethods()).filter(m -> m.getName().equals("forward")).findFirst().orElseThrow();
        BODY = new MethodParameter(forward, 1);
        ANSWER = new MethodParameter(forward, -1);
    }

    private static JsonMapper mapper() {
        JsonMapper.Builder builder = JsonMapper.builder().addModule(TensorJson.module());
        new ApiConfiguration(null, null).strictJsonReading().customize(builder);
        return builder.build();
    }

    /** Spring MVC's processors as the adapter builds them, counting the calls that reach them. */
    private static final class Counting extends RequestResponseBodyMethodProcessor {
        int calls;

        Counting() {
            super(CONVERTERS, new ContentNegotiationManager(), List.of(new JsonViewRequestBodyAdvice(), new JsonViewResponseBodyAdvice()));
        }

        @Override
        public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
                                      org.springframework.web.bind.support.WebDataBinderFactory binders) throws Exception {
            calls++;
            return super.resolveArgument(parameter, mav, request, binders);
        }

        @Override
        public void handleReturnValue(Object value, MethodParameter returnType, ModelAndViewContainer mav, NativeWebRequest request)
                throws org.springframework.web.HttpMediaTypeNotAcceptableException, java.io.IOException,
                org.springframework.http.converter.HttpMessageNotWritableException {
            calls++;
            super.handleReturnValue(value, returnType, mav, request);
        }
    }

    @Test
    void readsEveryBodyAsSpringMvc() throws Exception {
        List<String> bodies = List.of(X, "{\"input\": {\"shape\": [2], \"dtype\": \"int64\", \"data\": [1, 2]}, \"module\": \"0\"}",
                "{\"inputs\": [[1.0], null], \"kwargs\": {\"h\": [[0.5]]}}", "null", "", " ", "{\"input\": [1], \"extra\": 1}",
                "{\"input\": [1], \"input\": [2]}", "{\"input\": [1]} trailing", "{\"input\": [1]", "[1, 2]", "{\"module\": 5}");
        List<String> types = Arrays.asList("application/json", "application/json;charset=UTF-8", "application/vnd.x+json",
                "application/json;charset=ISO-8859-1", "text/plain", "application/octet-stream", "*/*", "not a type", null);
        for (String body : bodies) {
            for (String type : types) {
                for (boolean chunked : new boolean[] {false, true}) {
                    Counting spring = new Counting();
                    String expected = read(spring, body, type, chunked);
                    Counting behind = new Counting();
                    String ours = read(new ForwardExchange(FORWARD, behind, new Counting()), body, type, chunked);
                    String what = body + " as " + type + (chunked ? ", chunked" : "");
                    assertThat(ours).as(what).isEqualTo(expected);
                    boolean common = !chunked && !body.isEmpty() && type != null && (type.equals("application/json")
                            || type.equals("application/json;charset=UTF-8") || type.equals("application/vnd.x+json"));
                    assertThat(behind.calls).as("Spring MVC's processor reached for " + what).isEqualTo(common ? 0 : 1);
                }
            }
        }
    }

    @Test
    void writesEveryAnswerAsSpringMvc() throws Exception {
        List<Object> outputs = Arrays.asList(TensorData.ofFloats(new float[]{0.3108825f, 0.50040317f}, 2, 1),
                Arrays.asList(TensorData.ofLongs(new long[]{1, 2}, 2), null), null, List.of(), Arrays.asList(1.5f, "x"));
        List<List<String>> accepts = List.of(List.of(), List.of("*/*"), List.of("application/json"), List.of("*/*", "text/plain"),
                List.of("application/*+json"), List.of("text/plain"), List.of("application/json;q=0.5, application/vnd.x+json"));
        for (Object output : outputs) {
            for (List<String> accept : accepts) {
                for (String uri : List.of("/api/v1/models/m/forward", "/api/v1/models/m/forward.bat", "/api/v1/models/x.bat/forward")) {
                    for (boolean produces : new boolean[] {false, true}) {
                        ComputeController.ForwardResponse answer = new ComputeController.ForwardResponse(output);
                        String expected = write(new Counting(), answer, accept, uri, produces);
                        Counting behind = new Counting();
                        String ours = write(new ForwardExchange(FORWARD, new Counting(), behind), answer, accept, uri, produces);
                        String what = output + " for Accept " + accept + " at " + uri + (produces ? " with a produces" : "");
                        assertThat(ours).as(what).isEqualTo(expected);
                        boolean common = (accept.isEmpty() || accept.equals(List.of("*/*"))) && uri.endsWith("/forward") && !produces;
                        assertThat(behind.calls).as("Spring MVC's processor reached for " + what).isEqualTo(common ? 0 : 1);
                    }
                }
            }
        }
    }

    @Test
    void takesOnlyTheForwardsBodyAndAnswer() throws Exception {
        ForwardExchange exchange = new ForwardExchange(FORWARD, new Counting(), new Counting());
        assertThat(exchange.supportsParameter(BODY)).isTrue();
        assertThat(exchange.supportsReturnType(ANSWER)).isTrue();
        Method backward = Arrays.stream(ComputeController.class.getDeclaredMethods()).filter(m -> m.getName().equals("backward")).findFirst().orElseThrow();
        assertThat(exchange.supportsParameter(new MethodParameter(backward, 1))).isFalse();
        assertThat(exchange.supportsReturnType(new MethodParameter(backward, -1))).isFalse();
    }

    @Test
    void isInstalledFirstWhenForwardJsonIsTheFirstConverterAndNoBodyAdvice() {
        assertThat(installed(List.of(FORWARD, BOOT), false)).isTrue();
        assertThat(installed(List.of(BOOT, FORWARD), false)).isFalse();
        assertThat(installed(List.of(FORWARD, BOOT), true)).isFalse();
    }

    /** A body advice, as an application could add one: every body then goes through Spring MVC's processor, and through it. */
    @org.springframework.web.bind.annotation.ControllerAdvice
    static class Advice implements org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice<Object> {
        @Override
        public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
            return true;
        }

        @Override
        public Object beforeBodyWrite(Object body, MethodParameter returnType, org.springframework.http.MediaType contentType,
                                      Class<? extends HttpMessageConverter<?>> converterType,
                                      org.springframework.http.server.ServerHttpRequest request, org.springframework.http.server.ServerHttpResponse response) {
            return body;
        }
    }

    private static boolean installed(List<HttpMessageConverter<?>> converters, boolean advice) {
        try (org.springframework.context.support.GenericApplicationContext context = new org.springframework.context.support.GenericApplicationContext()) {
            if (advice) {
                context.registerBean(Advice.class);
            }
            context.refresh();
            org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter adapter =
                    new org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter();
            adapter.setApplicationContext(context);
            adapter.setMessageConverters(new ArrayList<>(converters));
            adapter.afterPropertiesSet();
            ForwardExchange.install(adapter);
            boolean first = adapter.getArgumentResolvers().get(0) instanceof ForwardExchange;
            assertThat(adapter.getReturnValueHandlers().get(0) instanceof ForwardExchange).isEqualTo(first);
            return first;
        }
    }

    private static String read(org.springframework.web.method.support.HandlerMethodArgumentResolver resolver, String body, String type, boolean chunked) {
        MockHttpServletRequest request = chunked ? new MockHttpServletRequest("POST", "/api/v1/models/m/forward") {
            @Override
            public int getContentLength() {
                return -1;   // a chunked body: no length known
            }

            @Override
            public long getContentLengthLong() {
                return -1;
            }
        } : new MockHttpServletRequest("POST", "/api/v1/models/m/forward");
        if (type != null) {
            request.setContentType(type);
        }
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        ModelAndViewContainer mav = new ModelAndViewContainer();
        try {
            Object value = resolver.resolveArgument(BODY, mav, new ServletWebRequest(request, new MockHttpServletResponse()), new DefaultDataBinderFactory(null));
            ComputeController.ForwardRequest r = (ComputeController.ForwardRequest) value;
            return MAPPER.writeValueAsString(Arrays.asList(r.input(), r.inputs(), r.kwargs(), r.module()));
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage() + " / " + (e.getCause() == null ? null : e.getCause().getClass().getName() + ": " + e.getCause().getMessage());
        }
    }

    private static String write(org.springframework.web.method.support.HandlerMethodReturnValueHandler handler, Object answer,
                                List<String> accept, String uri, boolean produces) throws java.io.UnsupportedEncodingException {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
        accept.forEach(a -> request.addHeader("Accept", a));
        if (produces) {
            request.setAttribute(HandlerMapping.PRODUCIBLE_MEDIA_TYPES_ATTRIBUTE, Set.of(org.springframework.http.MediaType.APPLICATION_JSON));
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        ModelAndViewContainer mav = new ModelAndViewContainer();
        try {
            handler.handleReturnValue(answer, ANSWER, mav, new ServletWebRequest(request, response));
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
        List<String> headers = new ArrayList<>();
        for (String name : response.getHeaderNames()) {
            headers.add(name + ": " + response.getHeaders(name));
        }
        return response.getStatus() + " " + headers + " " + mav.isRequestHandled() + " " + response.getContentAsString(StandardCharsets.UTF_8);
    }
}
