package io.paramlab.ops;

import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.web.filter.ServerHttpObservationFilter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code http.server.requests} timer, recorded as Spring's {@link ServerHttpObservationFilter} and
 * Micrometer's {@code DefaultMeterObservationHandler} record it, at a fraction of the cost per request.
 *
 * <p>Spring's filter builds an observation per request: a context with three maps, its key-values, a
 * contextual name, the high-cardinality {@code http.url}, a long-task timer {@code http.server.requests.active}
 * found (its name concatenated) and started, and at the end the timer looked up in the registry by a new
 * {@code Meter.Id} of tags. The tags are a function of four things only (the request's method, the matched
 * path pattern, the response status and the error's class), so this filter keeps Spring's
 * {@link ServerRequestObservationContext} as the request's carrier (the handler mappings write the path
 * pattern into it, as for Spring's filter), and looks the {@link Timer} up by those four. On the first
 * request of a kind, the tags are made by Spring's own convention and the handler's {@code error} tag and
 * the timer is registered in the registry, so its meter filters (the percentiles histogram of
 * {@code application.properties}, {@code management.metrics.enable}, the URI tag limit) apply as before.
 * The long-task timer {@code http.server.requests.active} is not kept (neither documented nor scraped).
 *
 * <p>Async requests (the job events' server-sent events) are timed to their completion, as Spring's filter
 * times them. Anything outside the shipped configuration (a convention bean, another observation handler,
 * observation filters or common key-values, the observation switched off) leaves the request to Spring's
 * filter itself ({@link RequestTimerConfiguration}).
 */
class RequestTimer extends ServerHttpObservationFilter {
    /** Beyond this many kinds of request (methods are the client's), timers are looked up in the registry. */
    static final int MAX_CACHED = 1024;
    private static final String TIMING = RequestTimer.class.getName() + ".timing";

    private final boolean fast;
    private final String name;
    private final MeterRegistry meters;
    private final Clock clock;
    private final DefaultServerRequestObservationConvention convention;   // Spring's, as its filter's default
    private final ConcurrentHashMap<Kind, Timer> timers = new ConcurrentHashMap<>();
    private String alreadyFiltered;

    /** fast: this filter's own timing; otherwise Spring's filter with this registry and convention. */
    RequestTimer(boolean fast, String name, MeterRegistry meters, ObservationRegistry observations,
                 org.springframework.http.server.observation.ServerRequestObservationConvention springConvention) {
        super(observations, springConvention);
        this.fast = fast;
        this.name = name;
        this.meters = meters;
        this.clock = meters.config().clock();
        this.convention = new DefaultServerRequestObservationConvention(name);
    }

    boolean fast() {
        return fast;
    }

    /**
     * What the tags are a function of: the method, the path pattern, the status and the error's class.
     * Compared by identity first: the method is the server's constant string and the pattern the mapping's.
     */
    private static final class Kind {
        private final String method;
        private final String pathPattern;
        private final int status;
        private final Class<?> error;
        private final int hash;

        Kind(String method, String pathPattern, int status, Class<?> error) {
            this.method = method;
            this.pathPattern = pathPattern;
            this.status = status;
            this.error = error;
            this.hash = ((Objects.hashCode(method) * 31 + Objects.hashCode(pathPattern)) * 31 + status) * 31
                    + Objects.hashCode(error);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Kind k && hash == k.hash && status == k.status && error == k.error
                    && same(method, k.method) && same(pathPattern, k.pathPattern);
        }

        private static boolean same(String a, String b) {
            return a == b || a != null && a.equals(b);
        }
    }

    /** One request's timing: its carrier and when it started (the registry's monotonic clock, in ns). */
    private record Timing(ServerRequestObservationContext context, long start) {
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!fast) {
            super.doFilterInternal(request, response, chain);
            return;
        }
        Timing timing = (Timing) request.getAttribute(TIMING);
        if (timing == null) {   // not an async re-dispatch of a request already timed
            ServerRequestObservationContext context = new ServerRequestObservationContext(request, response);
            timing = new Timing(context, clock.monotonicTime());
            request.setAttribute(TIMING, timing);
            request.setAttribute(CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, context);
        }
        try {
            chain.doFilter(request, response);
        } catch (Exception ex) {
            timing.context().setError(unwrap(ex));
            response.setStatus(HttpStatus.INTERNAL_SERVER_ERROR.value());
            throw ex;
        } finally {
            if (request.isAsyncStarted() && request.getDispatcherType() == DispatcherType.REQUEST) {
                request.getAsyncContext().addListener(new Completion(timing));
            } else if (!isAsyncDispatch(request)) {
                Throwable error = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
                if (error != null) {
                    timing.context().setError(error);
                }
                record(timing);
            }
        }
    }

    /** Spring's filter's async listener: the timer stops when the async request completes or times out. */
    private final class Completion implements AsyncListener {
        private final Timing timing;

        Completion(Timing timing) {
            this.timing = timing;
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            record(timing);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            record(timing);
        }

        @Override
        public void onError(AsyncEvent event) {
            timing.context().setError(unwrap(event.getThrowable()));
        }
    }

    private void record(Timing timing) {
        long elapsed = clock.monotonicTime() - timing.start();
        ServerRequestObservationContext context = timing.context();
        HttpServletRequest request = context.getCarrier();
        HttpServletResponse response = context.getResponse();
        Throwable error = context.getError();
        Kind kind = new Kind(request.getMethod(), context.getPathPattern(), response.getStatus(),
                error == null ? null : error.getClass());
        Timer timer = timers.get(kind);
        if (timer == null) {
            timer = meters.timer(name, tags(context));
            if (timers.size() < MAX_CACHED) {
                timers.putIfAbsent(kind, timer);
            }
        }
        timer.record(elapsed, TimeUnit.NANOSECONDS);
    }

    /** The timer's tags as Spring's convention and Micrometer's DefaultMeterObservationHandler make them. */
    List<Tag> tags(ServerRequestObservationContext context) {
        List<Tag> tags = new ArrayList<>();
        for (KeyValue keyValue : convention.getLowCardinalityKeyValues(context)) {
            tags.add(Tag.of(keyValue.getKey(), keyValue.getValue()));
        }
        Throwable error = context.getError();
        tags.add(Tag.of("error", error == null ? "none" : error.getClass().getSimpleName()));
        return tags;
    }

    /** As Spring's filter: a ServletException's cause, if it has one. */
    private static Throwable unwrap(Throwable ex) {
        return ex instanceof ServletException && ex.getCause() != null ? ex.getCause() : ex;
    }

    /** As io.paramlab.api.ApiFilter: the "already filtered" attribute's name worked out once, not per request. */
    @Override
    protected String getAlreadyFilteredAttributeName() {
        String attribute = alreadyFiltered;
        if (attribute == null || getFilterConfig() == null) {
            attribute = super.getAlreadyFilteredAttributeName();
            if (getFilterConfig() != null) {
                alreadyFiltered = attribute;
            }
        }
        return attribute;
    }
}
