package io.paramlab.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where models outlive the process. Every method that writes has made its write durable when it
 * returns, and is atomic: a crash leaves it wholly in or wholly out. The model layer calls
 * {@link #commit} from its one transaction primitive, under the model's write lock, after the
 * change succeeded in memory; a {@link VersionConflictException} there means another writer
 * (another instance) moved the model, and the in-memory change must be rolled back.
 */
public interface ModelStore {

    /** Stores a new model at version 1 with its first history entry ({@code change}, usually {@code create}). */
    ModelSummary create(ModelRecord model, Change change);

    /**
     * Replaces the model's state by {@code state} at version {@code expectedVersion + 1} and appends
     * {@code change} to its history, in one transaction. {@code changes} says which tensor elements differ
     * from the stored version {@code expectedVersion}: the rest is taken from it without being written
     * or hashed again, so it must name every element that changed.
     *
     * @throws VersionConflictException when the stored version is not {@code expectedVersion}; nothing is written
     * @throws NoSuchModelException     when there is no such model
     */
    ModelSummary commit(String id, long expectedVersion, ModelState state, TensorChanges changes, Change change);

    /** A commit of a state that may differ anywhere: every tensor is hashed. */
    default ModelSummary commit(String id, long expectedVersion, ModelState state, Change change) {
        return commit(id, expectedVersion, state, TensorChanges.EVERYTHING, change);
    }

    /** The model at its latest version, tensors read chunk by chunk. */
    Optional<StoredModel> load(String id);

    /** The model's summary without reading its tensors. */
    Optional<ModelSummary> find(String id);

    /** Models ordered by creation time then id; {@code afterCursor} null for the first page. */
    Page<ModelSummary> list(int limit, String afterCursor);

    long count();

    /** What one owner holds: its models and their parameters' elements (the per-owner quotas of the model layer). */
    record Usage(long models, long parameters) {
    }

    Usage usage(String owner);

    /** Deletes the model with its checkpoints and history, then reclaims the chunks nothing references. */
    boolean delete(String id);

    /** The last {@code limit} history entries, newest first. */
    List<HistoryEntry> history(String id, int limit);

    /**
     * Checkpoints the model's stored state (its latest version) in the database: no tensor bytes
     * pass through the JVM, and the checkpoint is that version by construction.
     *
     * @param tag     null, or unique per model
     * @throws TagTakenException    when another checkpoint of the model has the tag
     * @throws NoSuchModelException when there is no such model
     */
    Checkpoint createCheckpoint(String modelId, String tag, String message);

    /** The model's checkpoints, oldest first. */
    List<Checkpoint> listCheckpoints(String modelId);

    /** A checkpoint by id or by tag. */
    Optional<Checkpoint> getCheckpoint(String modelId, String idOrTag);

    /** The checkpoint's state (its name is the model's name when the checkpoint was taken). */
    Optional<ModelState> loadCheckpointState(String modelId, String checkpointId);

    boolean deleteCheckpoint(String modelId, String checkpointId);

    /**
     * Claims {@code key} for one request, atomically across the instances of a shared store (a row inserted
     * first, unique by key): the second of two simultaneous claims finds the first running, or its kept
     * answer. A claim whose request has died (on this instance: it neither kept an answer nor released the
     * claim; on another: that instance's heartbeat expired) is taken over. {@code requestHash} is the request's
     * hash when it is known before the request runs (64 hex digits), so that a repeat can tell another request
     * under the key from the same one while it runs; null for a streamed upload, hashed as it is read.
     */
    IdempotencyClaim claimIdempotent(String key, String requestHash);

    /**
     * Keeps the claimed request's answer for the idempotency window ({@code paramlab.store.idempotency-ttl}, 24 h
     * by default), in the caller's transaction when there is one; answers past the window go with it.
     *
     * @throws IdempotencyClaimLostException when the claim was taken over meanwhile (nothing is kept)
     */
    void keepIdempotent(String key, IdempotencyClaim.Claimed claim, String requestHash, int status,
                        Map<String, List<String>> headers, byte[] body);

    /** Gives a claim up (the request failed, or its answer is not kept): the key is free again. */
    void releaseIdempotent(String key, IdempotencyClaim.Claimed claim);
}
