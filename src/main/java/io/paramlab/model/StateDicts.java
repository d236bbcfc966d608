package io.paramlab.model;

import io.paramlab.store.Change;
import io.paramlab.store.ModelStore;
import io.paramlab.store.StateDictStore;
import io.paramlab.store.VersionConflictException;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * Stored state dicts (API.md, "State dicts without a model") with the rules every resource with
 * an owner follows: a write role creates, the owner (or admin) renames and deletes, the
 * stored-parameters quota counts their elements, and every change is in their history with its actor.
 */
@Component
public class StateDicts {
    private final StateDictStore store;
    private final ModelStore models;
    private final ParamlabQuotas quotas;
    private final java.time.Duration abandonedAfter;

    public StateDicts(StateDictStore store, ModelStore models, ParamlabQuotas quotas, StateDictLimits limits) {
        this.store = store;
        this.models = models;
        this.quotas = quotas;
        // no upload runs longer than max-transfer-time: a staged one older than that (and a margin) was cut off by a crash
        this.abandonedAfter = limits.maxTransferTime().plusMinutes(5);
    }

    public StateDictStore store() {
        return store;
    }

    /** Stores an upload; the caller owns it. */
    public StateDictStore.Summary upload(String name, StateDictStore.Upload upload) {
        return upload(name, upload, (summary, tensors) -> { });
    }

    /** Stores an upload, {@code alongside} in the transaction that makes it a state dict; the caller owns it. */
    public StateDictStore.Summary upload(String name, StateDictStore.Upload upload,
                                         java.util.function.BiConsumer<StateDictStore.Summary, java.util.List<io.paramlab.formats.RawTensors.Tensor>> alongside) {
        Ownership.checkCreate("state dict");
        String owner = RequestContext.current().actor();
        store.discardAbandonedUploads(abandonedAfter);
        return store.upload(UUID.randomUUID().toString(), owner, name, new Change(owner, "create", "uploaded"),
                elements -> quotas.checkStoredParameters(owner, elements, models.usage(owner)), upload, alongside);
    }

    /** Keeps a model's (or a checkpoint's) state dict as a state dict of its own. */
    public StateDictStore.Summary copyOf(String ref, String name) {
        Ownership.checkCreate("state dict");
        String owner = RequestContext.current().actor();
        return store.copyOf(UUID.randomUUID().toString(), owner, name, new Change(owner, "create", "kept " + ref), ref,
                        elements -> quotas.checkStoredParameters(owner, elements, models.usage(owner)))
                .orElseThrow(() -> new NotFoundException(ref.contains("@") ? "checkpoint" : "model", "no " + ref));
    }

    public StateDictStore.Summary get(String id) {
        return store.find(id).orElseThrow(() -> notFound(id));
    }

    public StateDictStore.Summary rename(String id, String name) {
        StateDictStore.Summary current = get(id);
        Ownership.checkChange("state dict", id, current.owner());
        RequestContext caller = RequestContext.current();
        try {
            return store.rename(id, caller.expectedVersion(), name, new Change(caller.actor(), "rename",
                            "renamed to " + (name == null ? "null" : "\"" + name + "\"")))
                    .orElseThrow(() -> notFound(id));
        } catch (VersionConflictException e) {
            throw new PreconditionFailedException(id, e.expected(), e.actual(), "state dict");
        }
    }

    public void delete(String id) {
        StateDictStore.Summary current = get(id);
        Ownership.checkChange("state dict", id, current.owner());
        Long expected = RequestContext.current().expectedVersion();
        if (expected != null && expected != current.version()) {
            throw new PreconditionFailedException(id, expected, current.version(), "state dict");
        }
        if (!store.delete(id)) {
            throw notFound(id);
        }
    }

    public static NotFoundException notFound(String id) {
        return new NotFoundException("state-dict", "no state dict " + id);
    }
}
