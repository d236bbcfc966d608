package io.paramlab.api;

import io.paramlab.spec.FieldError;
import io.paramlab.store.IdempotencyClaim;
import io.paramlab.store.IdempotencyClaimLostException;
import io.paramlab.store.IdempotentResponse;
import io.paramlab.store.ModelStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Idempotency-Key} on every {@code POST /api/**} (API.md, "The store"): the first 2xx answer
 * to a key is kept with a hash of the request (method, path, query, body) for 24 hours, and a repeat
 * with the same hash gets it again (status, the headers in {@link #KEPT}, body, and
 * {@code Idempotent-Replayed: true}) without the handler running; another request under a kept key
 * is a 422. A failure is not kept, so a failed request may be retried with its key.
 *
 * <p>The key is claimed in the store before the handler runs ({@link ModelStore#claimIdempotent}: a row
 * unique by key, inserted first), so one request under a key runs at a time across every instance of a
 * shared PostgreSQL store: a repeat that arrives (here or at another instance) while the first still runs is
 * refused with 409 (retry later) rather than made to wait, so no thread is held and a client retrying after a
 * dropped connection gets the first answer on its next try; another request under the running key is a 422.
 * A request that fails, or whose answer is not kept, releases its claim; the claim of a request whose
 * instance died is taken over once that instance's heartbeat expires. A file upload to
 * {@code POST /state-dicts} claims its key in the same way ({@link UploadIdempotency}).
 *
 * <p>An answer is kept only up to {@code paramlab.idempotency.max-kept-answer-size} (default 1 MB):
 * it is buffered up to there, and past it sent on as it is written and not kept (a repeat then runs
 * again), so a large answer is never held whole in memory for the cache.
 *
 * <p>Runs after {@link BodySizeLimitFilter}, whose counting stream bounds the body this filter
 * reads whole (to hash it) and then hands to the handler from memory.
 */
@Component
@Order(BodySizeLimitFilter.ORDER + 1)
class IdempotencyFilter extends ApiFilter {
    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    static final int MAX_KEY_LENGTH = 255;
    /** The headers of a first answer that its repeats carry again. */
    static final List<String> KEPT = List.of(HttpHeaders.LOCATION, HttpHeaders.ETAG, HttpHeaders.CONTENT_TYPE,
            HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.LINK, HttpHeaders.VARY);
    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);
    private final ModelStore store;
    private final int maxKeptAnswer;

    IdempotencyFilter(ModelStore store,
                      @org.springframework.beans.factory.annotation.Value("${paramlab.idempotency.max-kept-answer-size:1MB}")
                      org.springframework.util.unit.DataSize maxKeptAnswer) {
        this.store = store;
        this.maxKeptAnswer = (int) Math.min(Integer.MAX_VALUE - 8, maxKeptAnswer.toBytes());
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // a state-dict file streams into the store and is never held whole, so it is not hashed (nor kept) here
        return !"POST".equals(request.getMethod()) || !request.getRequestURI().startsWith("/api/")
                || request.getHeader(HEADER) == null || BodySizeLimitFilter.isStateDictUpload(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(HEADER);
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            String message = "must be 1 to " + MAX_KEY_LENGTH + " characters, got " + key.length();
            ProblemJson.write(response, Problems.invalid(HEADER + ": " + message, List.of(new FieldError(HEADER, message))));
            return;
        }
        byte[] body;
        try {
            body = request.getInputStream().readAllBytes();
        } catch (BodyTooLargeException e) {
            ProblemJson.write(response, Problems.bodyTooLarge(null, e.maximum()));
            return;
        }
        String hash = hash(request, body);
        String kept = scoped(request, key);
        IdempotencyClaim found = store.claimIdempotent(kept, hash);
        if (!(found instanceof IdempotencyClaim.Claimed claim)) {
            answerRepeat(found, key, hash, response);
            return;
        }
        boolean settled = false;   // kept or released, before the client sees the answer (a retry then finds either)
        try {
            CappedAnswer answer = new CappedAnswer(response, maxKeptAnswer);
            chain.doFilter(new CachedBody(request, body), answer);
            answer.flushWriter();
            boolean success = answer.getStatus() >= 200 && answer.getStatus() < 300;
            if (success && answer.kept() == null) {
                log.debug("the answer to Idempotency-Key {} is over {} bytes: not kept", key, maxKeptAnswer);
            }
            if (!(success && answer.kept() != null && keep(kept, claim, key, hash, answer))) {
                release(kept, claim, key);
            }
            settled = true;
            answer.finish();
        } finally {
            if (!settled) {
                release(kept, claim, key);
            }
        }
    }

    /** Answers a repeat: the kept answer again, 409 while the first runs, or 422 for another request under the key. */
    static void answerRepeat(IdempotencyClaim found, String key, String hash, HttpServletResponse response) throws IOException {
        if (found instanceof IdempotencyClaim.Running running) {
            ProblemJson.write(response, running.isOther(hash) ? reused(key) : inProgress(key));
            return;
        }
        IdempotentResponse first = ((IdempotencyClaim.Kept) found).answer();
        if (!first.requestHash().equals(hash)) {
            ProblemJson.write(response, reused(key));
            return;
        }
        response.setStatus(first.status());
        first.headers().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.setHeader(REPLAYED, "true");
        response.setContentLength(first.body().length);
        response.getOutputStream().write(first.body());
    }

    /** Keeps the answer under the claim; false when it could not be (the claim is then to be released). */
    private boolean keep(String keptKey, IdempotencyClaim.Claimed claim, String key, String hash, CappedAnswer answer) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : KEPT) {
            List<String> values = List.copyOf(answer.getHeaders(name));
            if (!values.isEmpty()) {
                headers.put(name, values);
            }
        }
        if (answer.getContentType() != null && !headers.containsKey(HttpHeaders.CONTENT_TYPE)) {
            headers.put(HttpHeaders.CONTENT_TYPE, List.of(answer.getContentType()));
        }
        try {
            store.keepIdempotent(keptKey, claim, hash, answer.getStatus(), headers, answer.kept());
            return true;
        } catch (DataAccessException | IdempotencyClaimLostException e) {
            // the work is done and committed: answer it; a retry would then do it again, which the log tells
            log.warn("could not keep the answer to Idempotency-Key {}: {}", key, e.getMessage());
            return false;
        }
    }

    /** Frees the key for a retry; a claim the store could not free is taken over by this instance's next repeat. */
    private void release(String keptKey, IdempotencyClaim.Claimed claim, String key) {
        try {
            store.releaseIdempotent(keptKey, claim);
        } catch (DataAccessException e) {
            log.warn("could not release the claim on Idempotency-Key {}: {}", key, e.getMessage());
        }
    }

    /**
     * A key is the caller's own: kept as the SHA-256 of the caller's name and the key, so that one token
     * can neither replay nor block another's request by using the same key.
     */
    static String scoped(HttpServletRequest request, String key) {
        MessageDigest sha = sha256();
        update(sha, Versions.actor(request).getBytes(StandardCharsets.UTF_8));
        update(sha, key.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    static org.springframework.http.ProblemDetail inProgress(String key) {
        return Problems.problem(HttpStatus.CONFLICT, "idempotency-key-in-use", "Request in progress", "a request with "
                + "Idempotency-Key \"" + Messages.quoted(key) + "\" is still being processed; retry once it has answered");
    }

    static org.springframework.http.ProblemDetail reused(String key) {
        return Problems.problem(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency-Key reused",
                "Idempotency-Key \"" + Messages.quoted(key) + "\" was used for another request (method, path, query or body "
                        + "differ) within the last 24 hours; use a new key for a new request");
    }

    /** SHA-256 of method, path, query and body, each length-prefixed so no two requests run together. */
    static String hash(HttpServletRequest request, byte[] body) {
        MessageDigest sha = sha256();
        String query = request.getQueryString();
        for (String part : new String[] {request.getMethod(), request.getRequestURI(), query == null ? "" : "?" + query}) {
            update(sha, part.getBytes(StandardCharsets.UTF_8));
        }
        update(sha, body);
        return HexFormat.of().formatHex(sha.digest());
    }

    static void update(MessageDigest sha, byte[] part) {
        sha.update((part.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(part);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The answer, buffered up to {@code cap} bytes to be kept; past the cap, what was buffered and all
     * that follows go straight to the client, and nothing is kept.
     */
    static final class CappedAnswer extends jakarta.servlet.http.HttpServletResponseWrapper {
        private final int cap;
        private java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        private ServletOutputStream out;
        private java.io.PrintWriter writer;

        CappedAnswer(HttpServletResponse response, int cap) {
            super(response);
            this.cap = cap;
        }

        /** The whole answer's body, or null once it passed the cap. */
        byte[] kept() {
            return buffer == null ? null : buffer.toByteArray();
        }

        private void write(byte[] b, int off, int len) throws IOException {
            if (buffer != null && buffer.size() + (long) len <= cap) {
                buffer.write(b, off, len);
                return;
            }
            if (buffer != null) {   // past the cap: what was held goes out first, then everything as it comes
                getResponse().getOutputStream().write(buffer.toByteArray());
                buffer = null;
            }
            getResponse().getOutputStream().write(b, off, len);
        }

        @Override
        public ServletOutputStream getOutputStream() {
            if (out == null) {
                out = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        CappedAnswer.this.write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        CappedAnswer.this.write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        if (buffer == null) {
                            getResponse().getOutputStream().flush();
                        }
                    }

                    @Override
                    public boolean isReady() {
                        return true;
                    }

                    @Override
                    public void setWriteListener(jakarta.servlet.WriteListener listener) {
                        throw new UnsupportedOperationException("an answer under an Idempotency-Key is written blocking");
                    }
                };
            }
            return out;
        }

        @Override
        public java.io.PrintWriter getWriter() {
            if (writer == null) {
                String encoding = getCharacterEncoding();
                writer = new java.io.PrintWriter(new java.io.OutputStreamWriter(getOutputStream(),
                        encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
            }
            return writer;
        }

        @Override
        public void flushBuffer() throws IOException {
            flushWriter();
            if (buffer == null) {
                super.flushBuffer();
            }
        }

        @Override
        public void resetBuffer() {
            if (buffer != null) {
                buffer.reset();
            }
            super.resetBuffer();
        }

        @Override
        public void reset() {
            if (buffer != null) {
                buffer.reset();
            }
            super.reset();
        }

        void flushWriter() {
            if (writer != null) {
                writer.flush();
            }
        }

        /** Sends what is still held. */
        void finish() throws IOException {
            flushWriter();
            if (buffer != null) {
                byte[] body = buffer.toByteArray();
                buffer = null;
                if (!getResponse().isCommitted()) {
                    getResponse().setContentLength(body.length);
                }
                getResponse().getOutputStream().write(body);
            }
        }
    }

    /** The request with its body, already read to be hashed, served again from memory. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already in memory");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
