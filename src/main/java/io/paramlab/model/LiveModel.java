package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.spec.LayerSpec;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.store.Change;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One model of the service: its identity, metadata and read-write lock, and (while it is in
 * memory) its module tree and generator. Reads share the lock; every change goes through
 * {@link #change}, the one transaction primitive: it checks the caller may change the model
 * ({@link Ownership}), takes the lock alone, runs the change, commits
 * it to the store, and on any failure (any Throwable) puts back everything the change's footprint
 * covers, so a failed request changes nothing and an answered one is durable.
 *
 * <p>Memory is a cache: the registry may evict a model's contents, which come back from the store
 * (and its gradients from scratch space) at its next use; the handle itself stays, so every request
 * for one model meets the same lock.
 */
public final class LiveModel {
    private final String id;
    private final String owner;
    private final Instant createdAt;
    // fair: a writer queued behind a slow read goes before the readers that come after it, and they go in arrival order
    // (the unfair lock keeps a queued writer from starving only by a heuristic on the head of its queue)
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final Keeper keeper;
    private Contents contents;   // guarded by the lock; null while evicted
    // read without the lock by the model list, so that it never waits on a write
    private volatile String name;
    private volatile long version;
    private volatile Instant updatedAt;
    private volatile long parameterCount;
    private volatile boolean uninitialized;
    private volatile long lastUsed = System.nanoTime();
    // changed only inside change(), which saves and restores both (Footprint.optimizer); dropped with the contents
    private OptimizerSetup optimizer;
    private Map<Tensor, Double> updateRatios = Map.of();   // by identity, replaced whole at each step
    // the running job that holds the model (its thread alone may change it), or null; volatile for checkNotHeld
    private volatile Hold hold;
    private Transaction transaction;   // the change in progress, guarded by the write lock
    private final Unstored unstored = new Unstored();   // what the next commit writes; guarded by the write lock

    /** A job holding the model: changes from any other thread are refused with 409 until it lets go. */
    private record Hold(String jobId, Thread thread) {
    }

    /** What memory holds of a model: dropped on eviction, rebuilt from the store. */
    record Contents(ModelSpec spec, Map<LayerSpec, Module> built, Module root, Generator generator,
                    boolean forwardWritesInTraining) {
        Contents(ModelSpec spec, ModuleFactory.Built build, Generator generator) {
            this(spec, build.modules(), build.root(), generator, build.root().anyForwardWritesInTraining());
        }
    }

    /** What the store gives back of an evicted model: its contents and its optimizer (or null). */
    record Loaded(Contents contents, OptimizerSetup optimizer) {
    }

    /** The registry's side of a model: loading its contents, and the budget and store at each commit. */
    interface Keeper {
        /** Rebuilds the contents of an evicted model; called under its write lock. */
        Loaded load(LiveModel model);

        /** After a change succeeded, under the write lock: the budget, then (when durable) the store. A throw rolls the change back. */
        void committed(LiveModel model, Change change, boolean durable);

        /** Inside a change, before a lazy parameter allocates {@code elements}: charges them, or refuses (a throw). */
        void materializing(LiveModel model, long elements);

        /** After a change was rolled back, under the write lock: what it charged is given back. */
        void rolledBack(LiveModel model);
    }

    LiveModel(String id, String owner, Instant createdAt, long version, Instant updatedAt, String name, Contents contents,
              Keeper keeper) {
        this.id = id;
        this.owner = owner;
        this.createdAt = createdAt;
        this.version = version;
        this.updatedAt = updatedAt;
        this.name = name;
        this.keeper = keeper;
        this.contents = contents;
        refreshCounts();
    }

    public String id() {
        return id;
    }

    /** The token name that created it ({@code anonymous} when access control is off), or null. */
    public String owner() {
        return owner;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** 1 at create, +1 for each committed change of the model's durable state. */
    public long version() {
        return version;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    /** Unique parameters' initialized elements, as {@code sum(p.numel() for p in net.parameters())}. */
    public long parameterCount() {
        return parameterCount;
    }

    public String name() {
        return name;
    }

    long lastUsed() {
        return lastUsed;
    }

    // ---- the contents; callers hold the lock (inside read or change)

    /** The spec with defaults filled in, each lazy layer as it is now. */
    /** The spec as built now (lazy layers settled), under the model's current name: a rename renames it too. */
    public ModelSpec spec() {
        ModelSpec settled = contents.spec().settled(contents.built());
        return java.util.Objects.equals(settled.name(), name) ? settled : new ModelSpec(name, settled.seed(), settled.shared(), settled.model());
    }

    public Module root() {
        return contents.root();
    }

    public Generator generator() {
        return contents.generator();
    }

    /** Renames; only inside {@link #change}. */
    public void rename(String newName) {
        name = newName;
    }

    /**
     * Whether a forward in the current mode changes state: in training mode Dropout draws and
     * BatchNorm1d moves its running statistics, and a lazy layer's first forward materializes it
     * in any mode.
     */
    public boolean forwardWrites() {
        return uninitialized || (contents.forwardWritesInTraining() && contents.root().isTraining());
    }

    /** The optimizer and its scheduler, or null when the model has none. */
    public OptimizerSetup optimizer() {
        return optimizer;
    }

    /** Sets (or, with null, deletes) the optimizer, forgetting the last step's update ratios; only inside {@link #change}. */
    public void setOptimizer(OptimizerSetup setup) {
        requireChange();
        optimizer = setup;
        updateRatios = Map.of();
    }

    /** ‖w_after − w_before‖₂ / ‖w_before‖₂ of the last optimizer step for this parameter, or null if it did not step in it. */
    public Double updateRatio(Tensor parameter) {
        return updateRatios.get(parameter);
    }

    /** The last step's ratios, per parameter that stepped (by identity); only inside {@link #change}. */
    public void recordUpdateRatios(Map<Tensor, Double> ratios) {
        requireChange();
        updateRatios = new IdentityHashMap<>(ratios);
    }

    Map<Tensor, Double> updateRatios() {
        return updateRatios;
    }

    /** A rollback putting back the optimizer reference and the ratios saved before the change. */
    void restoreOptimizer(OptimizerSetup setup, Map<Tensor, Double> ratios) {
        optimizer = setup;
        updateRatios = ratios;
    }

    private void requireChange() {
        if (!lock.isWriteLockedByCurrentThread()) {
            throw new IllegalStateException("the optimizer changes only inside LiveModel.change");
        }
    }

    // ---- locking and the transaction

    /** Runs {@code query} under the read lock: it sees no change half done. */
    public <T> T read(Supplier<T> query) {
        while (true) {
            acquire(lock.readLock());
            try {
                if (contents != null) {
                    lastUsed = System.nanoTime();
                    return query.get();
                }
            } finally {
                lock.readLock().unlock();
            }
            acquire(lock.writeLock());   // evicted: load under the write lock, then read again
            try {
                ensureLoaded();
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    public <T> T change(String operation, Footprint footprint, Supplier<T> change) {
        return change(operation, footprint, change, result -> null);
    }

    public <T> T change(String operation, Footprint footprint, Supplier<T> change, Function<T, String> summary) {
        return change(operation, footprint, change, summary, () -> { });
    }

    /**
     * Makes the calling thread's job the model's holder: from now on only this thread changes it.
     * Refused (409) while another job holds it.
     */
    public void hold(String jobId) {
        lock.writeLock().lock();
        try {
            checkNotHeld();
            hold = new Hold(jobId, Thread.currentThread());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Lets go of the model if {@code jobId} holds it. */
    public void release(String jobId) {
        lock.writeLock().lock();
        try {
            if (hold != null && hold.jobId().equals(jobId)) {
                hold = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The id of the job holding the model, or null. */
    public String heldBy() {
        Hold h = hold;
        return h == null ? null : h.jobId();
    }

    /** 409 naming the job when a job holds the model and the caller is not that job's thread. */
    public void checkNotHeld() {
        Hold h = hold;
        if (h != null && h.thread() != Thread.currentThread()) {
            throw new ConflictException("job-running", "model " + id + " is being trained by job " + h.jobId()
                    + "; it can be read but not changed until the job ends (POST /jobs/" + h.jobId() + "/cancel stops it)");
        }
    }

    /**
     * A change whose refusals can be found without changing anything: {@code check} runs under the
     * lock before the footprint is saved, so a refused change costs no copy of the model's values.
     */
    public <T> T change(String operation, Footprint footprint, Runnable check, Supplier<T> change) {
        return change(operation, () -> footprint, check, change, result -> null, () -> { });
    }

    public <T> T change(String operation, Footprint footprint, Supplier<T> change, Function<T, String> summary,
                        Runnable alongside) {
        return change(operation, () -> footprint, () -> { }, change, summary, alongside);
    }

    /**
     * A change whose footprint names what it finds in the contents (one parameter by name): {@code footprint}
     * runs under the lock, after any reload, so the change and its rollback cover the model's live tensors.
     */
    public <T> T change(String operation, Supplier<Footprint> footprint, Supplier<T> change) {
        return change(operation, footprint, () -> { }, change, result -> null, () -> { });
    }

    /**
     * The one way to change a model: under the write lock, checks {@code If-Match} and runs
     * {@code check}, saves what {@code footprint} covers, runs {@code change}, and commits (the
     * budget, then the store when the change is durable, as a new version with a history entry of
     * {@code operation} and {@code summary}; {@code alongside} runs in the store's transaction). On
     * any Throwable, Errors included, it restores the saved state and rethrows. While a job holds the
     * model, only the job's own thread gets past the first check.
     */
    private <T> T change(String operation, Supplier<Footprint> footprintOf, Runnable check, Supplier<T> change,
                         Function<T, String> summary, Runnable alongside) {
        Ownership.checkChange(this);   // before the lock: a refused caller neither waits nor loads
        acquire(lock.writeLock());
        try {
            checkNotHeld();
            ensureLoaded();
            Long expected = RequestContext.current().expectedVersion();
            if (expected != null && expected != version) {
                throw new PreconditionFailedException(id, expected, version);
            }
            check.run();
            Footprint footprint = footprintOf.get();
            boolean durable = switch (footprint.durability()) {
                case ALWAYS -> true;
                case NEVER -> false;
                case IF_FORWARD_WRITES -> forwardWrites();
            };
            unstored.touched(footprint);   // before anything runs: rolled back or kept in memory, it is written at the next commit
            Transaction transaction = new Transaction(this, footprint);
            this.transaction = transaction;
            String nameBefore = name;
            try (Allocation.Scope charging = Allocation.chargingParameters(elements -> keeper.materializing(this, elements))) {
                T result = change.get();
                refreshCounts();
                String text = summary.apply(result);
                keeper.committed(this, new Change(RequestContext.current().actor(), operation, text == null ? operation : text, alongside),
                        durable);
                return result;
            } catch (Throwable t) {
                transaction.rollback();
                name = nameBefore;
                refreshCounts();
                try {
                    keeper.rolledBack(this);
                } catch (RuntimeException again) {
                    t.addSuppressed(again);
                }
                throw t;
            } finally {
                this.transaction = null;
                transaction.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Takes {@code l}, waiting no longer than the request's time budget ({@link Deadline}): a request
     * queued behind a long change, or behind a writer queued behind a long read, ends in a 503 when
     * its budget is spent instead of waiting without bound. Outside a request (a job), it waits.
     */
    private void acquire(java.util.concurrent.locks.Lock l) {
        long remaining = Deadline.remainingNanos();
        if (remaining == Long.MAX_VALUE) {
            l.lock();
            return;
        }
        try {
            if (l.tryLock(remaining, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long[] spent = Deadline.spentAndMaxMillis();
        throw new ModelBusyException(id, spent[0], spent[1]);
    }

    /**
     * The values {@code p} had when the change in progress began, if its footprint saved them, else
     * null: a copy made already, so the caller need not make another. Only inside {@link #change}; not to be written.
     */
    public float[] valuesBefore(Tensor p) {
        requireChange();
        return transaction == null ? null : transaction.valuesBefore(p);
    }

    /** Called by the keeper when the store holds the contents as they are: its new version. */
    void committedAs(long newVersion, Instant at) {
        version = newVersion;
        updatedAt = at;
        unstored.stored(contents.root());
    }

    /** Which tensor elements of {@code stateDict} (the contents' state about to be committed) differ from the stored version. */
    io.paramlab.store.TensorChanges unstoredChanges(Map<String, io.paramlab.nn.TensorData> stateDict) {
        return unstored.changes(contents.root(), stateDict);
    }

    private void ensureLoaded() {
        if (contents == null) {
            Loaded loaded = keeper.load(this);
            contents = loaded.contents();
            optimizer = loaded.optimizer();
            updateRatios = Map.of();
            refreshCounts();
            unstored.stored(contents.root());
        }
        lastUsed = System.nanoTime();
    }

    /** Drops the contents if nobody uses the model now; answers whether it did. Called by the registry. */
    boolean evictIfIdle(java.util.function.Consumer<Contents> spill) {
        if (hold != null || !lock.writeLock().tryLock()) {
            return false;   // a job's model is busy between its steps too
        }
        try {
            if (contents == null) {
                return false;
            }
            spill.accept(contents);
            contents = null;
            unstored.forget();
            optimizer = null;   // it holds the old contents' parameters; the store has its state
            updateRatios = Map.of();
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean isLoaded() {
        return contents != null;
    }

    /** The contents for the keeper, which holds the lock. */
    Contents contents() {
        return contents;
    }

    private void refreshCounts() {
        if (contents != null) {
            parameterCount = contents.root().namedParameters().values().stream().mapToLong(Tensor::numel).sum();
            uninitialized = contents.root().anyUninitializedParameters();
        }
    }
}
