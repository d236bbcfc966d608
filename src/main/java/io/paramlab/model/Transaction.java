package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.optim.OptimizerSetup;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a change's {@link Footprint} covers, saved before it runs. Every parameter's arrays,
 * gradient and flag are kept by identity (a lazy layer's materialization or a first gradient put
 * back to none); values are copied where the footprint says they may change. Restoring copies
 * back into the same arrays (or swaps back saved copies) and allocates next to nothing, so it
 * works after an OutOfMemoryError too.
 */
final class Transaction {
    private final Map<Tensor, Tensor.Snapshot> parameters = new IdentityHashMap<>();
    private final List<Elements> elements = new ArrayList<>();
    private final List<TensorData[]> buffers = new ArrayList<>();
    private final LiveModel model;
    private final Generator generator;
    private final Generator generatorBefore;
    private final Runnable structure;
    private final Module root;
    private final boolean training;
    private final boolean optimizerCovered;
    private final OptimizerSetup optimizerBefore;
    private final Runnable optimizerStateBefore;     // null without an optimizer
    private final Map<Tensor, Double> updateRatiosBefore;

    private final Allocation.Scope held;   // the copies' share of the budget in flight, until the change ends

    Transaction(LiveModel model, Footprint footprint) {
        this.model = model;
        this.root = model.root();
        this.generator = model.generator();
        this.training = root.isTraining();
        // what the copies will hold is charged before any is made: a model-sized copy is refused, not an OutOfMemoryError
        long copied = 0;
        java.util.Set<Tensor> unique = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        unique.addAll(root.allParameterNames().values());
        for (Tensor p : unique) {
            copied += (covers(footprint, p) ? footprint.elements() != null ? footprint.elements().length : p.numel() : 0)
                    + (footprint.grads() && p.grad() != null ? p.grad().length : 0);
        }
        if (footprint.buffers()) {
            for (TensorData b : root.namedBuffers().values()) copied += b.numel();
        }
        if (footprint.optimizer() && model.optimizer() != null) {
            copied += model.optimizer().optimizer().stateElements();
        }
        this.held = Allocation.hold(copied);
        // with elements named, only those values are copied; the rest of the parameter is not written
        boolean wholeValues = footprint.elements() == null;
        root.allParameterNames().values().forEach(p -> parameters.computeIfAbsent(p,
                t -> t.snapshot(wholeValues && covers(footprint, t), footprint.grads())));
        if (!wholeValues) {
            footprint.values().forEach(p -> elements.add(Elements.of(p, footprint.elements())));
        }
        if (footprint.buffers()) {
            root.namedBuffers().values().forEach(b -> buffers.add(new TensorData[] {b, b.copy()}));
        }
        this.generatorBefore = footprint.generator() ? generator.copy() : null;
        this.structure = footprint.structure() ? root.structureSnapshot() : null;
        // the setup is replaced by set/delete and changed in place by step/load: keep the reference and a deep copy
        this.optimizerCovered = footprint.optimizer();
        this.optimizerBefore = optimizerCovered ? model.optimizer() : null;
        this.optimizerStateBefore = optimizerBefore == null ? null : optimizerBefore.snapshot();
        this.updateRatiosBefore = optimizerCovered ? model.updateRatios() : null;
    }

    /** Some values of a parameter, saved by flat index. */
    private record Elements(Tensor p, int[] indices, float[] values) {
        static Elements of(Tensor p, int[] indices) {
            float[] values = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                values[i] = p.data()[indices[i]];
            }
            return new Elements(p, indices, values);
        }

        void restore() {
            for (int i = 0; i < indices.length; i++) {
                p.data()[indices[i]] = values[i];
            }
        }
    }

    private static boolean covers(Footprint footprint, Tensor p) {
        return footprint.allValues() || (footprint.values() != null && footprint.values().contains(p));
    }

    /** The values {@code p} had before the change, if the footprint saved them (null otherwise); not to be written. */
    float[] valuesBefore(Tensor p) {
        Tensor.Snapshot s = parameters.get(p);
        return s == null ? null : s.values();
    }

    /** Gives back the copies' share of the budget in flight; after a commit or a rollback. */
    void close() {
        held.close();
    }

    void rollback() {
        parameters.forEach(Tensor::restore);
        elements.forEach(Elements::restore);   // into the arrays restore put back
        buffers.forEach(pair -> pair[0].copyFrom(pair[1]));
        if (generatorBefore != null) {
            generator.restore(generatorBefore);
        }
        if (structure != null) {
            structure.run();
        }
        root.train(training);
        if (optimizerCovered) {
            if (optimizerStateBefore != null) {
                optimizerStateBefore.run();
            }
            model.restoreOptimizer(optimizerBefore, updateRatiosBefore);
        }
    }
}
