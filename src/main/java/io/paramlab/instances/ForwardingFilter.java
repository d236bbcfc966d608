package io.paramlab.instances;

import io.paramlab.api.ProblemJson;
import io.paramlab.store.JobStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a request on a model (or on a model's job) that another instance holds to that instance and
 * streams its answer back unchanged, event streams included: the holder alone keeps the model's
 * gradients, job and events, and serializes its changes. It runs after Spring Security (a 401 or 403
 * is answered here; the holder checks the same token again) and before anything reads the body.
 * A request is forwarded once at most: a holder that no longer holds the model answers 503.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 101)   // before BodySizeLimitFilter and IdempotencyFilter: the holder applies both
class ForwardingFilter extends OncePerRequestFilter {
    static final String FORWARDED_BY = "X-Paramlab-Forwarded-By";
    private static final Logger log = LoggerFactory.getLogger(ForwardingFilter.class);
    private static final Pattern MODEL = Pattern.compile("^/api/v1/models/([^/]+)(?:/.*)?$");
    private static final Pattern JOB = Pattern.compile("^/api/v1/jobs/([^/]+)(?:/.*)?$");
    // hop-by-hop headers, and those the JDK client sets itself (it refuses them)
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer",
            "upgrade", "host", "content-length", "expect", "http2-settings", "proxy-connection", FORWARDED_BY.toLowerCase(Locale.ROOT));
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer",
            "upgrade", "date", "server", "content-length");

    private final Instances instances;
    private final JobStore jobs;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

    // paramlab.instance.forward-timeout; unset: the holder's own requests stop at max-request-time, so that and a margin
    private final Duration answerTimeout;

    ForwardingFilter(Instances instances, JobStore jobs, io.paramlab.model.ParamlabLimits limits,
                     @org.springframework.beans.factory.annotation.Value("${paramlab.instance.forward-timeout:#{null}}") Duration timeout) {
        this.instances = instances;
        this.jobs = jobs;
        this.answerTimeout = timeout != null ? timeout : limits.maxRequestTime().plusSeconds(5);
        if (answerTimeout.isNegative() || answerTimeout.isZero()) {
            throw new IllegalArgumentException("paramlab.instance.forward-timeout must be positive, not " + answerTimeout);
        }
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !instances.shared();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> holder;
        try {
            holder = holder(request.getRequestURI());
        } catch (Instances.NotYetRegisteredException e) {
            unavailable(response, "instance-starting", "Instance starting", e.getMessage(), 1);
            return;
        }
        if (holder.isEmpty()) {
            chain.doFilter(request, response);
        } else if (request.getHeader(FORWARDED_BY) != null) {
            unavailable(response, "model-moved", "The model moved to another instance",
                    "the model's holder changed while this request was forwarded; retry", 1);
        } else {
            forward(request, response, holder.get());
        }
    }

    /** The holder's URL for a request on a model held elsewhere; empty for anything served here. */
    private Optional<String> holder(String path) {
        Matcher model = MODEL.matcher(path);
        if (model.matches()) {
            return instances.route(decoded(model.group(1)));
        }
        Matcher job = JOB.matcher(path);
        if (job.matches()) {
            return jobs.findJob(decoded(job.group(1))).flatMap(record -> instances.route(record.modelId()));
        }
        return Optional.empty();
    }

    private static String decoded(String segment) {
        try {
            return UriUtils.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;   // not a model id of ours: served here, where it is refused
        }
    }

    private void forward(HttpServletRequest request, HttpServletResponse response, String holder) throws IOException {
        String query = request.getQueryString();
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(holder + request.getRequestURI() + (query == null ? "" : "?" + query)))
                .method(request.getMethod(), body(request));
        for (String name : Collections.list(request.getHeaderNames())) {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : Collections.list(request.getHeaders(name))) {
                    out.header(name, value);
                }
            }
        }
        out.header(FORWARDED_BY, instances.instanceId());
        out.timeout(answerTimeout);   // until the answer's head: a stream's body (events, exports) is not bounded by it
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            log.warn("the holder at {} does not answer: {}", holder, e.toString());
            instances.unreachable(holder);
            unavailable(response, "instance-unavailable", "The model's instance does not answer",
                    "the instance holding this model does not answer; if it has stopped, another instance takes the model over"
                            + " when its lease expires (within " + instances.leaseTtl().toSeconds() + " s)",
                    instances.leaseTtl().toSeconds());
            return;
        } catch (java.net.http.HttpTimeoutException e) {
            log.warn("the holder at {} did not answer within {} ms: {}", holder, answerTimeout.toMillis(), e.toString());
            unavailable(response, "instance-timeout", "The model's instance did not answer in time",
                    "the instance holding this model did not answer within " + answerTimeout.toMillis()
                            + " ms (paramlab.instance.forward-timeout); the request may or may not have been done there", 1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding", e);
        }
        response.setStatus(answer.statusCode());
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_RETURNED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> response.addHeader(name, value));
            }
        });
        answer.headers().firstValueAsLong("content-length").ifPresent(response::setContentLengthLong);
        try (InputStream in = answer.body()) {
            OutputStream sink = response.getOutputStream();
            byte[] buffer = new byte[16384];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sink.write(buffer, 0, n);
                if (in.available() == 0) {
                    sink.flush();   // an event stream's events reach the client as the holder sends them
                }
            }
        }
    }

    private static HttpRequest.BodyPublisher body(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        if (length == 0 || (length < 0 && request.getHeader("Transfer-Encoding") == null)) {
            return HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                return request.getInputStream();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
    }

    private static void unavailable(HttpServletResponse response, String slug, String title, String detail, long retryAfter)
            throws IOException {
        response.setHeader("Retry-After", Long.toString(Math.max(1, retryAfter)));
        ProblemJson.write(response, 503, slug, title, detail);
    }
}
