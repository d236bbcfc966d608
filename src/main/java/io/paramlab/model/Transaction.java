package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.nn.TensorData;
import io.paramlab.optim.OptimizerSetup;
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

    Transaction(LiveModel model, Footprint footprint) {
        this.model = model;
        this.root = model.root();
        this.generator = model.generator();
        this.training = root.isTraining();
        root.allParameterNames().values().forEach(p -> parameters.computeIfAbsent(p, t ->
                t.snapshot(footprint.allValues() || (footprint.values() != null && footprint.values().contains(t)), footprint.grads())));
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

    void rollback() {
        parameters.forEach(Tensor::restore);
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
