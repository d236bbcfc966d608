package io.paramlab.api;

import io.paramlab.model.ParamlabLimits;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.Locale;

/**
 * Refuses bodies over paramlab.limits.max-body-size (a safetensors or torch.save body: over the
 * binary limit, {@link ParamlabLimits#maxBinaryBodySize()}): at once when Content-Length says so,
 * otherwise as soon as the count passes the limit while the body streams in.
 *
 * <p>Whatever the answer, the unread rest of a body within its limit is then read and dropped (a
 * 413 of the in-flight budget or a JSON limit half-way, a 415 before the first byte): the client is
 * still sending it, and Jetty closes a connection with unread body bytes at once (shutdown, then
 * close: a TCP reset), so a client still sending loses the answer it was reading (the JDK's
 * HttpClient fails it as a cut chunked body) or reuses a connection the server has closed.
 * Dropped bytes cost no memory. A body over its limit gets {@code Connection: close} on its answer
 * when that is known before it commits, and a lingering close (see {@link #finishAndLinger}).
 */
@Component
@Order(BodySizeLimitFilter.ORDER)
class BodySizeLimitFilter extends ApiFilter {
    /** Ordered so that filters reading bodies (IdempotencyFilter) can run after it, inside its bound. */
    static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;
    /** How long a body over its limit is still read and dropped after its answer: Apache httpd's lingering close. */
    static final long LINGER_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    private final long maxBytes;
    private final long maxBinaryBytes;
    private final long maxInFlight;
    private final long maxStateDictBytes;

    BodySizeLimitFilter(ParamlabLimits limits, io.paramlab.model.StateDictLimits stateDictLimits,
                        @org.springframework.beans.factory.annotation.Value("${paramlab.limits.max-inflight-body-size:#{null}}")
                        org.springframework.util.unit.DataSize maxInFlight) {
        this.maxBytes = limits.maxBodySize().toBytes();
        this.maxBinaryBytes = limits.maxBinaryBodySize();
        this.maxStateDictBytes = stateDictLimits.maxStateDictBytes().toBytes();
        // unset: an eighth of the heap, and never less than one JSON body
        this.maxInFlight = maxInFlight != null ? maxInFlight.toBytes() : Math.max(maxBytes, Runtime.getRuntime().maxMemory() / 8);
    }

    /**
     * A body that says it is a file (octet-stream, or ?format=safetensors|pt): the query is read
     * raw, since asking the request for a parameter would make Jetty parse a form body.
     */
    static boolean isBinary(HttpServletRequest request) {
        String type = request.getContentType();
        if (type != null) {
            try {
                if (MediaType.APPLICATION_OCTET_STREAM.includes(MediaType.parseMediaType(type))) {
                    return true;
                }
            } catch (InvalidMediaTypeException e) {
                // not a media type: the handler answers 415
            }
        }
        String query = request.getQueryString();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.startsWith("format=")) {
                String format = pair.substring(7).toLowerCase(Locale.ROOT);
                return format.equals("safetensors") || format.equals("pt");
            }
        }
        return false;
    }

    /**
     * A file uploaded as a stored state dict: it streams into the store chunk by chunk, so it is
     * bounded by paramlab.limits.max-state-dict-bytes and holds no share of the in-flight budget.
     */
    static boolean isStateDictUpload(HttpServletRequest request) {
        return "POST".equals(request.getMethod()) && "/api/v1/state-dicts".equals(request.getRequestURI()) && isBinary(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean streamed = isStateDictUpload(request);
        long limit = streamed ? maxStateDictBytes : isBinary(request) ? maxBinaryBytes : maxBytes;
        if (request.getContentLengthLong() > limit) {
            answerAndLinger(request, response, streamed ? Problems.stateDictTooLarge(request.getContentLengthLong(), limit)
                    : Problems.bodyTooLarge(request.getContentLengthLong(), limit));
            return;
        }
        long bodyLimit = request.getContentLengthLong() >= 0 ? request.getContentLengthLong() : limit;
        BodyBudget.Account account = streamed ? BodyBudget.openStreaming(maxInFlight, bodyLimit) : BodyBudget.open(maxInFlight, bodyLimit);
        CountingRequest counting = new CountingRequest(request, response, limit, account, streamed);
        try {
            chain.doFilter(counting, response);
        } finally {
            account.close();   // the rest is dropped, never held: the budget is free for others at once
            long read = counting.read();
            if (!dropRest(request, limit - read)) {   // over its limit: Jetty will close the connection
                closeAfterAnswer(response);
                if (response.isCommitted()) {
                    finishAndLinger(request, response);
                }
            }
        }
    }

    /** Answers {@code problem} to a request whose body will not be read: {@code Connection: close}, then a lingering close. */
    static void answerAndLinger(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.setHeader(HttpHeaders.CONNECTION, "close");
        ProblemJson.write(response, problem);
        finishAndLinger(request, response);
    }

    /** Says {@code Connection: close} on an answer not yet committed, so no client reuses the connection. */
    private static void closeAfterAnswer(HttpServletResponse response) {
        if (!response.isCommitted()) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
        }
    }

    /**
     * Reads and drops the unread rest of the body; false when it holds more than {@code max} bytes,
     * more than a body within its limit can. The usual case reads one end of stream, no buffer.
     */
    static boolean dropRest(HttpServletRequest request, long max) {
        if (request.getContentLengthLong() == 0) {
            return true;
        }
        try {
            ServletInputStream in = request.getInputStream();
            if (in.read() < 0) {
                return true;
            }
            byte[] buffer = new byte[8192];
            for (long dropped = 1; dropped <= max; ) {
                int n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                dropped += n;
            }
            return false;
        } catch (IllegalStateException readAsText) {
            return true;   // the body went through getReader(), which reads it to the end or fails the request
        } catch (IOException gone) {
            return true;   // the client stopped sending: nothing left to drop, and the answer stands
        }
    }

    /**
     * A body over its limit: the answer is finished on the wire, then what the client still sends is
     * dropped until it stops or for {@link #LINGER_NANOS} at most, and only then does Jetty close.
     * Closing on unread bytes at once resets the connection, which can erase the answer before
     * the client reads it (RFC 9112, 9.6; the JDK's HttpClient sends its whole body regardless).
     */
    private static void finishAndLinger(HttpServletRequest request, HttpServletResponse response) {
        try {
            try {
                response.getOutputStream().close();
            } catch (IllegalStateException writer) {
                response.getWriter().close();
            }
            ServletInputStream in = request.getInputStream();
            byte[] buffer = new byte[8192];
            long until = System.nanoTime() + LINGER_NANOS;
            while (System.nanoTime() - until < 0 && in.read(buffer) >= 0) {
                // dropped
            }
        } catch (IllegalStateException | IOException gone) {
            // the body was read as text, or the client went away: nothing to wait for
        }
    }

    private static final class CountingRequest extends HttpServletRequestWrapper {
        private final HttpServletResponse response;
        private final long maxBytes;
        private final BodyBudget.Account account;
        private final boolean stateDict;
        private CountingStream stream;

        CountingRequest(HttpServletRequest request, HttpServletResponse response, long maxBytes, BodyBudget.Account account,
                        boolean stateDict) {
            super(request);
            this.response = response;
            this.maxBytes = maxBytes;
            this.account = account;
            this.stateDict = stateDict;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), response, maxBytes, account, stateDict);
            }
            return stream;
        }

        /** The body bytes read. */
        long read() {
            return stream == null ? 0 : stream.count;
        }
    }

    private static final class CountingStream extends ServletInputStream {
        private final ServletInputStream in;
        private final HttpServletResponse response;
        private final long maxBytes;
        private final BodyBudget.Account account;
        private final boolean stateDict;
        private long count;

        CountingStream(ServletInputStream in, HttpServletResponse response, long maxBytes, BodyBudget.Account account,
                       boolean stateDict) {
            this.in = in;
            this.response = response;
            this.maxBytes = maxBytes;
            this.account = account;
            this.stateDict = stateDict;
        }

        private int counted(int n) throws IOException {
            if (n <= 0) {
                return n;
            }
            if (count + n > maxBytes) {
                closeAfterAnswer(response);   // the rest will not be read: said now, before the 413 commits
                throw stateDict ? new BodyTooLargeException.StateDict(maxBytes) : new BodyTooLargeException(maxBytes);
            }
            count += n;
            account.charge(n);   // one body alone may use its whole limit; beside others, the bodies together stay under the budget
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) counted(1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return counted(in.read(buffer, offset, length));
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
