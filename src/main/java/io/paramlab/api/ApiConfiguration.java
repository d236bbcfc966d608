package io.paramlab.api;

import io.paramlab.model.ParamlabLimits;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

import java.util.List;

/** Wires the tensor codec and strict JSON reading into Boot's JSON mapper, and content negotiation before work. */
@Configuration(proxyBeanMethods = false)
class ApiConfiguration implements WebMvcConfigurer {
    private final ObjectProvider<RequestMappingHandlerAdapter> adapter;
    private final ParamlabLimits limits;

    ApiConfiguration(ObjectProvider<RequestMappingHandlerAdapter> adapter, ParamlabLimits limits) {
        this.adapter = adapter;
        this.limits = limits;
    }

    /** Tree-parsed bodies first, under their token cap, and the forward's body and answer; every other body goes to Boot's converters. */
    @Override
    public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
        converters.add(0, new JsonTreeReader(limits.maxJsonTreeTokens()));
        converters.stream().filter(c -> c.getClass() == org.springframework.http.converter.json.JacksonJsonHttpMessageConverter.class)
                .findFirst().ifPresent(boot -> converters.add(0, new ForwardJson((org.springframework.http.converter.json.JacksonJsonHttpMessageConverter) boot)));
    }

    @Bean
    JacksonModule tensorJsonModule() {
        return TensorJson.module();
    }

    /**
     * JSON bodies are read as written: an unknown field, a duplicate key, or a value of the wrong
     * JSON type ({@code "training": -1}, {@code "name": true}, {@code "index": [0.9]}, {@code "0"}
     * for a number) is a 400 naming the field, never coerced or ignored.
     */
    @Bean
    JsonMapperBuilderCustomizer strictJsonReading() {
        return builder -> builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Boolean, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, c -> c
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /**
     * The API's handler mapping is asked first. Spring MVC asks its mappings in order until one has a
     * handler, and the actuator's (order -100) came before it: every API request was tried against
     * each actuator endpoint's pattern twice (the lookup, then the search for a partial match that
     * makes a 405 or 415), for nothing. No API pattern matches an actuator path, nor the reverse, so the
     * order changes no answer; an actuator request now tries the API's patterns first instead.
     */
    @Bean
    static org.springframework.beans.factory.config.BeanPostProcessor paramlabMappingFirst() {
        return new org.springframework.beans.factory.config.BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mapping
                        && "requestMappingHandlerMapping".equals(name)) {
                    mapping.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
                }
                return bean;
            }
        };
    }

    /**
     * The forward's body and answer through {@link ForwardExchange}, asked before Spring MVC's own
     * argument resolvers and return value handlers (it hands every other case to Spring MVC's
     * {@code @RequestBody} / {@code @ResponseBody} processor).
     */
    @Bean
    static org.springframework.beans.factory.config.BeanPostProcessor forwardExchangeFirst() {
        return new org.springframework.beans.factory.config.BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof RequestMappingHandlerAdapter adapter) {
                    ForwardExchange.install(adapter);
                }
                return bean;
            }
        };
    }

    /** Spring MVC's handler lookup, with the literal path segments compared first: see {@link LiteralSegmentMapping}. */
    @Bean
    org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations literalSegmentLookup() {
        return new org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations() {
            @Override
            public org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new LiteralSegmentMapping();
            }
        };
    }

    /** State-dict bodies reach their handler as a stream, to be decoded in the format the request names. */
    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.addCustomConverter(new StateDictBody.Converter());
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new MediaTypeGuard(adapter)).addPathPatterns("/api/**");
        registry.addInterceptor(new Versions()).addPathPatterns("/api/**");
    }
}
