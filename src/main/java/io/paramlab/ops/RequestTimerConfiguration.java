package io.paramlab.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.GlobalObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The request timer's filter, registered as Boot registers its {@link ServerHttpObservationFilter} (same
 * order, same dispatcher types), in its place: Boot's is auto-configured only when no such filter bean
 * exists. {@link RequestTimer} times the request itself when the configuration is the one shipped (Spring's
 * default convention, Micrometer's meter handler the only observation handler, no observation filters,
 * predicates, global conventions or common key-values, the observation and its timer switched on); any
 * other configuration gets Spring's filter unchanged.
 */
@Configuration(proxyBeanMethods = false)
class RequestTimerConfiguration {
    private static final Log log = LogFactory.getLog(RequestTimerConfiguration.class);

    @Bean
    FilterRegistrationBean<ServerHttpObservationFilter> requestTimer(
            ObservationRegistry observations, MeterRegistry meters, ObservationProperties observationProperties,
            ObjectProvider<ServerRequestObservationConvention> conventions,
            ObjectProvider<ObservationHandler<?>> handlers, ObjectProvider<ObservationFilter> filters,
            ObjectProvider<ObservationPredicate> predicates, ObjectProvider<GlobalObservationConvention<?>> globalConventions) {
        String name = observationProperties.getHttp().getServer().getRequests().getName();
        ServerRequestObservationConvention convention = conventions.getIfAvailable();
        String springsBecause = convention != null ? "a ServerRequestObservationConvention bean"
                : handlers.stream().findAny().isEmpty() ? "no observation handler"
                : !handlers.stream().allMatch(h -> h instanceof DefaultMeterObservationHandler) ? "an observation handler besides the meters'"
                : filters.stream().anyMatch(f -> !boots(f)) ? "an ObservationFilter bean"
                : predicates.stream().anyMatch(p -> !boots(p)) ? "an ObservationPredicate bean"
                : globalConventions.stream().findAny().isPresent() ? "a GlobalObservationConvention bean"
                : !observationProperties.getKeyValues().isEmpty() ? "management.observations.key-values"
                : Observation.createNotStarted(name, observations).isNoop() ? "the observation " + name + " is switched off"
                : null;
        if (springsBecause != null) {
            log.info("Request timer: Spring's ServerHttpObservationFilter (" + springsBecause + ")");
        }
        RequestTimer filter = new RequestTimer(springsBecause == null, name, meters, observations,
                convention != null ? convention : new DefaultServerRequestObservationConvention(name));
        FilterRegistrationBean<ServerHttpObservationFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return registration;
    }

    /**
     * Boot's filter and predicate of the management.observations properties: its key-values (checked empty)
     * and its switches (the observation checked on) are the only things it does.
     */
    private static boolean boots(Object filterOrPredicate) {
        return filterOrPredicate.getClass().getName()
                .equals("org.springframework.boot.micrometer.observation.autoconfigure.PropertiesObservationFilterPredicate");
    }
}
