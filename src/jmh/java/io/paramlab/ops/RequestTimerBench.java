package io.paramlab.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.filter.ServerHttpObservationFilter;

import java.lang.management.ManagementFactory;

/**
 * The request timer's own cost per request, on one thread: Spring's ServerHttpObservationFilter (with
 * Micrometer's meter handler, as Boot configures it) against {@link RequestTimer}, each around a chain that
 * does what the handler mapping does for the timer (the path pattern) and sets the status; the same request
 * and response objects reused. CPU time and bytes allocated per request (ThreadMXBean), rounds alternating,
 * less the chain alone. Run (after the bench profile's test-compile, classpath as bench/cnn.sh builds it):
 * <pre>java -cp "target/test-classes:target/classes:$(cat target/bench.cp)" io.paramlab.ops.RequestTimerBench [rounds] [n]</pre>
 */
public final class RequestTimerBench {
    private static final String PATTERN = "/api/v1/models/{id}/forward";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.config().meterFilter(new MeterFilter() {   // management.metrics.distribution.percentiles-histogram.http.server.requests=true
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().startsWith("http.server.requests")
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config) : config;
            }
        });
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        Filter springs = new ServerHttpObservationFilter(observations);
        Filter ours = new RequestTimer(true, "http.server.requests", meters, observations,
                new DefaultServerRequestObservationConvention());
        Filter none = (req, res, chain) -> chain.doFilter(req, res);
        for (Filter f : new Filter[] {springs, ours}) {
            f.init(new MockFilterConfig("timer"));
        }
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models/3f0a/forward");
        MockHttpServletResponse response = new MockHttpServletResponse();
        FilterChain chain = (req, res) -> {
            ServerHttpObservationFilter.findObservationContext(request).ifPresent(c -> c.setPathPattern(PATTERN));
            ((HttpServletResponse) res).setStatus(200);
        };
        String[] names = {"chain alone", "Spring's filter", "RequestTimer"};
        Filter[] filters = {none, springs, ours};
        for (int i = 0; i < 3; i++) {
            run(filters[i], request, response, chain, n);   // warm-up
        }
        System.out.printf("%-16s %12s %12s%n", "", "CPU ns/req", "bytes/req");
        for (int r = 0; r < rounds; r++) {
            double[][] result = new double[3][];
            for (int k = 0; k < 3; k++) {
                int i = r % 2 == 0 ? k : 2 - k;   // alternate the order
                result[i] = run(filters[i], request, response, chain, n);
            }
            for (int i = 1; i < 3; i++) {
                System.out.printf("round %d %-16s %8.0f %12.0f%n", r + 1, names[i],
                        result[i][0] - result[0][0], result[i][1] - result[0][1]);
            }
        }
        System.out.println(meters.get("http.server.requests").timer().count() + " requests timed");
    }

    private static double[] run(Filter filter, MockHttpServletRequest request, MockHttpServletResponse response,
                                FilterChain chain, int n) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long bytes0 = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            request.clearAttributes();
            filter.doFilter(request, response, chain);
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long bytes = threads.getCurrentThreadAllocatedBytes() - bytes0;
        return new double[] {(double) cpu / n, (double) bytes / n};
    }
}
