package io.paramlab.store;

/**
 * An answer kept under a claim the key no longer has: this instance was taken for dead (its heartbeat
 * expired) while the request ran, and a repeat on another instance claimed the key. The transaction that
 * would have kept it rolls back, so the request stores nothing; the repeat's answer is the one kept.
 */
public final class IdempotencyClaimLostException extends RuntimeException {
    public IdempotencyClaimLostException() {
        super("this request's claim on its Idempotency-Key was taken by a repeat on another instance; nothing was stored");
    }
}
