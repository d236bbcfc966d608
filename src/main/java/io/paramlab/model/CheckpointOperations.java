package io.paramlab.model;

import io.paramlab.nn.TensorData;
import io.paramlab.spec.InvalidInputException;
import io.paramlab.store.Checkpoint;
import io.paramlab.store.ModelState;
import io.paramlab.store.ModelStore;
import io.paramlab.store.NoSuchModelException;
import io.paramlab.store.TagTakenException;
import io.paramlab.tensor.UninitializedParameterException;
import org.springframework.stereotype.Service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checkpoints of a model (API.md, "Checkpoints"): take one, restore one through the transaction
 * primitive, fork one into a new model, and read a checkpoint's (or the live) state dict for a diff.
 * The store copies and keeps the states; this class holds the model's locks while it does.
 */
@Service
public class CheckpointOperations {
    /** The name {@code from}/{@code to} of a diff give the model's current state. */
    public static final String LIVE = "live";
    /** Ids are UUIDs; a tag of that shape could shadow another checkpoint's id in {@code {c}}. */
    private static final Pattern ID_SHAPE = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    static final int MAX_TAG = 100;
    private final ModelRegistry registry;
    private final ModelStore store;

    public CheckpointOperations(ModelRegistry registry, ModelStore store) {
        this.registry = registry;
        this.store = store;
    }

    /**
     * Under the read lock no change runs, and every durable change has committed: the stored state
     * the store copies is the live one (gradients, which no checkpoint holds, aside).
     */
    public Checkpoint create(String id, String tag, String message) {
        LiveModel model = registry.forChange(id);   // a checkpoint takes a tag and storage of the model's owner
        checkTag(tag);
        return model.read(() -> {
            if (model.root().anyUninitializedParameters()) {
                throw new ConflictException("uninitialized-parameters", "model \"" + id + "\" has uninitialized lazy parameters ("
                        + new UninitializedParameterException("a checkpoint").getMessage() + "); run a forward first");
            }
            try {
                return store.createCheckpoint(id, tag, message);
            } catch (TagTakenException e) {
                throw new ConflictException("tag-taken", e.getMessage());
            } catch (NoSuchModelException e) {
                throw modelNotFound(id);
            }
        });
    }

    public List<Checkpoint> list(String id) {
        registry.get(id);   // 404 for an unknown model
        return store.listCheckpoints(id);
    }

    public Checkpoint get(String id, String checkpoint) {
        registry.get(id);
        return store.getCheckpoint(id, checkpoint).orElseThrow(() -> notFound(id, checkpoint));
    }

    /** The checkpoint's stored state: its state dict in key order, tied keys sharing one array. */
    public ModelState state(String id, String checkpoint) {
        registry.get(id);
        return store.loadCheckpointState(id, checkpoint).orElseThrow(() -> notFound(id, checkpoint));
    }

    /** Sets the checkpoint's state dict, optimizer, generator and mode: one change, one version, or nothing. */
    public LiveModel restore(String id, String checkpoint) {
        LiveModel model = registry.forChange(id);
        Checkpoint found = get(id, checkpoint);
        ModelState state = state(id, found.id());   // immutable: read before the lock, so writers wait less
        model.change("checkpoint.restore", Footprint.RESTORE, () -> {
            registry.restore(model, state);
            return null;
        }, result -> "restored checkpoint " + label(found));
        return model;
    }

    /**
     * A new model from the checkpoint, named {@code name} (null: the model's name when the checkpoint was
     * taken): a read of the checkpoint and a create, so any caller who may create forks it, and owns the fork.
     */
    public LiveModel fork(String id, String checkpoint, String name) {
        Checkpoint found = get(id, checkpoint);
        ModelState state = state(id, found.id());
        return registry.fork(state, name != null ? name : state.name(),
                "forked from checkpoint " + label(found) + " of model " + id);
    }

    public void delete(String id, String checkpoint) {
        registry.forChange(id);
        if (!store.deleteCheckpoint(id, checkpoint)) {
            throw notFound(id, checkpoint);
        }
    }

    /** {@code live} (the model's state dict now, copied under its read lock) or a checkpoint's state dict. */
    public Map<String, TensorData> stateDict(String id, String liveOrCheckpoint) {
        if (!LIVE.equals(liveOrCheckpoint)) {
            return state(id, liveOrCheckpoint).stateDict();
        }
        LiveModel model = registry.get(id);
        return model.read(() -> {
            Map<String, TensorData> copy = new LinkedHashMap<>();
            model.root().stateDict().forEach((key, value) -> {
                if (value.shape() == null) {
                    throw new UnprocessableException("", key + ": " + new UninitializedParameterException("a diff").getMessage());
                }
                copy.put(key, value.copy());
            });
            return copy;
        });
    }

    /** 1-100 characters, neither {@code live} (the diff's name for the model now) nor shaped like an id. */
    static void checkTag(String tag) {
        if (tag == null) {
            return;
        }
        int length = tag.codePointCount(0, tag.length());
        if (length < 1 || length > MAX_TAG) {
            throw new InvalidInputException("tag", "must be 1 to " + MAX_TAG + " characters, got " + length);
        }
        if (tag.equals(LIVE)) {
            throw new InvalidInputException("tag", "\"live\" names the model's current state in a diff; choose another tag");
        }
        if (ID_SHAPE.matcher(tag).matches()) {
            throw new InvalidInputException("tag", "must not be shaped like a checkpoint id (a UUID)");
        }
    }

    private static String label(Checkpoint checkpoint) {
        return checkpoint.tag() != null ? checkpoint.tag() : checkpoint.id();
    }

    private static NotFoundException notFound(String id, String checkpoint) {
        return new NotFoundException("checkpoint", "model \"" + id + "\" has no checkpoint with id or tag \"" + checkpoint + "\"");
    }

    private static NotFoundException modelNotFound(String id) {
        return new NotFoundException("model", "no model with id \"" + id + "\"");
    }
}
