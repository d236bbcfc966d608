package io.paramlab.api;

import io.paramlab.store.IdempotencyClaim;
import io.paramlab.store.ModelStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code Idempotency-Key} on a file upload to {@code POST /state-dicts}, which streams into the store and is
 * never held whole, so {@link IdempotencyFilter} cannot hash it first: the body is hashed as it streams (the
 * request's hash is method, path, query and the body's SHA-256), and the answer is kept in the same
 * transaction that makes the upload a state dict. A repeat with the same body reads it to its end (to hash
 * it), stores nothing and gets the first answer again; another body under the key is a 422; a repeat while
 * the first still runs is a 409, as the filter answers them. The key is claimed in the store before the body
 * is read (a row unique by key, {@link ModelStore#claimIdempotent}), so this holds between the instances of
 * a shared store too: of two identical uploads at two instances at once, one is stored.
 */
@Component
class UploadIdempotency {
    private final ModelStore store;

    UploadIdempotency(ModelStore store) {
        this.store = store;
    }

    /** An upload under a key: the body to read (hashed as it is read), and what keeping its answer needs. */
    final class Keyed implements AutoCloseable {
        private final HttpServletRequest request;
        private final String key;
        private final String scoped;
        private final MessageDigest body = IdempotencyFilter.sha256();
        private final InputStream in;
        private IdempotencyClaim.Claimed claim;

        private Keyed(HttpServletRequest request, String key, InputStream raw) {
            this.request = request;
            this.key = key;
            this.scoped = IdempotencyFilter.scoped(request, key);
            this.in = new DigestInputStream(raw, body);
        }

        /** The body, hashed as it is read. */
        InputStream body() {
            return in;
        }

        /** Reads what the upload left of the body (to hash all of it); then the request's hash. */
        String requestHash() throws IOException {
            in.transferTo(OutputStream.nullOutputStream());
            MessageDigest sha = IdempotencyFilter.sha256();
            String query = request.getQueryString();
            for (String part : new String[] {request.getMethod(), request.getRequestURI(), query == null ? "" : "?" + query,
                    "streamed body sha256 " + HexFormat.of().formatHex(body.digest())}) {
                IdempotencyFilter.update(sha, part.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        }

        /**
         * Answers a repeat from the kept answer (or 422 for another body, 409 while the first runs); false when
         * the upload is to run, this request then holding the key's claim until {@link #close}.
         */
        boolean answered(HttpServletResponse response) throws IOException {
            IdempotencyClaim found = store.claimIdempotent(scoped, null);
            if (found instanceof IdempotencyClaim.Claimed claimed) {
                claim = claimed;
                return false;
            }
            IdempotencyFilter.answerRepeat(found, key, found instanceof IdempotencyClaim.Kept ? requestHash() : null, response);
            return true;
        }

        /**
         * Keeps the first answer; called inside the transaction that stores the upload, after its body was read
         * whole. A claim lost meanwhile (this instance was taken for dead) throws, and the upload is not stored.
         */
        void keep(String requestHash, int status, Map<String, List<String>> headers, byte[] answer) {
            store.keepIdempotent(scoped, claim, requestHash, status, headers, answer);
        }

        /** Frees the key when the upload failed (a kept answer stays). */
        @Override
        public void close() {
            if (claim != null) {
                store.releaseIdempotent(scoped, claim);
            }
        }
    }

    /** The upload's key, or null without an {@code Idempotency-Key}; a key of the wrong length is a 400. */
    Keyed open(HttpServletRequest request, InputStream raw) {
        String key = request.getHeader(IdempotencyFilter.HEADER);
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > IdempotencyFilter.MAX_KEY_LENGTH) {
            String message = "must be 1 to " + IdempotencyFilter.MAX_KEY_LENGTH + " characters, got " + key.length();
            throw new io.paramlab.spec.InvalidInputException(IdempotencyFilter.HEADER, message);
        }
        return new Keyed(request, key, raw);
    }
}
