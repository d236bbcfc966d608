package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.spec.LayerSpec;
import io.paramlab.spec.ModelSpec;
import io.paramlab.spec.ModuleFactory;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One model held by the service: its identity, module tree, generator, metadata and read-write
 * lock. Reads share the lock; every change goes through {@link #change}, the one transaction
 * primitive: it takes the lock alone, runs the change, and on any failure (any Throwable) puts
 * back everything the change's footprint covers, so a failed request changes nothing.
 */
public final class LiveModel {
    private final String id;
    private final Instant createdAt = Instant.now();
    private final ModelSpec spec;
    private final Map<LayerSpec, Module> built;
    private final Module root;
    private final Generator generator;
    private final boolean forwardWritesInTraining;   // the tree's types are fixed at construction, so this is too
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ChangeListener listener;
    // read without the lock by the model list, so that it never waits on a write
    private volatile String name;
    private volatile long parameterCount;
    private volatile boolean uninitialized;
    // changed only inside change(), which saves and restores both (Footprint.optimizer)
    private OptimizerSetup optimizer;
    private Map<Tensor, Double> updateRatios = Map.of();   // by identity, replaced whole at each step

    /** Told of every committed change, inside the change's lock: the budget, and later the store. */
    public interface ChangeListener {
        /** Called after the change succeeded and before the lock is released; a throw rolls the change back. */
        void committed(LiveModel model, String operation);
    }

    LiveModel(String id, ModelSpec spec, ModuleFactory.Built build, Generator generator, ChangeListener listener) {
        this.id = id;
        this.spec = spec;
        this.built = build.modules();
        this.root = build.root();
        this.generator = generator;
        this.listener = listener;
        this.name = spec.name();
        this.forwardWritesInTraining = root.anyForwardWritesInTraining();
        refreshCounts();
    }

    public String id() {
        return id;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** Unique parameters' initialized elements, as {@code sum(p.numel() for p in net.parameters())}. */
    public long parameterCount() {
        return parameterCount;
    }

    public String name() {
        return name;
    }

    /** The spec with defaults filled in, each lazy layer as it is now. Callers hold the lock. */
    public ModelSpec spec() {
        return spec.settled(built);
    }

    public Module root() {
        return root;
    }

    public Generator generator() {
        return generator;
    }

    /** Renames; only inside {@link #change}. */
    public void rename(String newName) {
        name = newName;
    }

    /**
     * Whether a forward in the current mode changes state: in training mode Dropout draws and
     * BatchNorm1d moves its running statistics, and a lazy layer's first forward materializes it
     * in any mode. Callers hold the lock.
     */
    public boolean forwardWrites() {
        return uninitialized || (forwardWritesInTraining && root.isTraining());
    }

    /** The optimizer and its scheduler, or null when the model has none. Callers hold the lock. */
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
        Map<Tensor, Double> copy = new IdentityHashMap<>(ratios);
        updateRatios = copy;
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

    /** Runs {@code query} under the read lock: it sees no change half done. */
    public <T> T read(Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The one way to change a model: under the write lock, saves what {@code footprint} covers,
     * runs {@code change}, tells the listener (which may refuse, e.g. over the budget), and on any
     * Throwable, Errors included, restores the saved state and rethrows.
     */
    public <T> T change(String operation, Footprint footprint, Supplier<T> change) {
        lock.writeLock().lock();
        try {
            Transaction transaction = new Transaction(this, footprint);
            String nameBefore = name;
            try {
                T result = change.get();
                refreshCounts();
                listener.committed(this, operation);
                return result;
            } catch (Throwable t) {
                transaction.rollback();
                name = nameBefore;
                refreshCounts();
                throw t;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Parameter, buffer and optimizer state elements the model holds now: what the budget must have reserved for it. */
    long elementsHeld() {
        long elements = parameterCount;
        for (var b : root.namedBuffers().values()) elements += b.numel();
        if (optimizer != null) elements += optimizer.optimizer().stateElements();
        return elements;
    }

    private void refreshCounts() {
        parameterCount = root.namedParameters().values().stream().mapToLong(Tensor::numel).sum();
        uninitialized = root.anyUninitializedParameters();
    }
}
