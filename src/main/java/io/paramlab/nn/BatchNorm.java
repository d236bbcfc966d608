package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.ShapeException;
import io.paramlab.tensor.Tensor;

import java.util.Map;

/**
 * {@code nn.BatchNorm1d} and {@code nn.BatchNorm2d} as one class over [N, C, *] (PyTorch's
 * {@code _BatchNorm}; the subclasses differ in the input ranks they take): batch statistics in training mode, which also move the running ones
 * and count {@code num_batches_tracked}; running statistics in eval mode.
 */
public final class BatchNorm extends Module {
    private final int rank;
    private final int numFeatures;
    private final double eps;
    private final Double momentum;   // null: cumulative average, as momentum=None in PyTorch
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final long[] numBatchesTracked;

    /** {@code rank} 1 for BatchNorm1d ([N, C] or [N, C, L]), 2 for BatchNorm2d ([N, C, H, W]). */
    public BatchNorm(int rank, int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this.rank = rank;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.parameter(new float[numFeatures], numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.parameter(new float[numFeatures], numFeatures)) : null;
        if (trackRunningStats) {
            runningMean = Tensor.zeros(numFeatures);
            runningVar = Tensor.full(1f, numFeatures);
            numBatchesTracked = new long[1];
            registerBuffer("running_mean", TensorData.of(runningMean));
            registerBuffer("running_var", TensorData.of(runningVar));
            registerBuffer("num_batches_tracked", TensorData.ofLongs(numBatchesTracked));
        } else {
            runningMean = null;
            runningVar = null;
            numBatchesTracked = null;
        }
        Affine.resetBoth(weight, bias);
    }

    @Override
    public void resetParameter(String name, Generator generator) {
        if (!Affine.reset(name, weight, bias)) {
            super.resetParameter(name, generator);
        }
    }

    /** Version 2 added num_batches_tracked; a dict from version 1 or without _metadata lacks it. */
    @Override
    protected int stateDictVersion() {
        return 2;
    }

    @Override
    protected void upgradeStateDict(String prefix, Integer version, Map<String, TensorData> state) {
        if ((version == null || version < 2) && numBatchesTracked != null) {
            state.putIfAbsent(prefix + "num_batches_tracked", TensorData.ofLongs(new long[] {0}));
        }
    }

    @Override
    public String typeName() {
        return "BatchNorm" + rank + "d";
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + PyRepr.floating(eps)
                + ", momentum=" + (momentum == null ? "None" : PyRepr.floating(momentum))
                + ", affine=" + PyRepr.bool(weight != null)
                + ", track_running_stats=" + PyRepr.bool(runningMean != null);
    }

    @Override
    protected boolean forwardWritesInTraining() {
        return true;
    }

    @Override
    public Tensor forward(Tensor input) {
        int dim = input.dim();
        if (rank == 1 ? dim != 2 && dim != 3 : dim != rank + 2) {
            throw new ShapeException("expected " + (rank == 1 ? "2D or 3D" : (rank + 2) + "D") + " input (got " + dim + "D input)");
        }
        double factor = momentum == null ? 0.0 : momentum;
        if (isTraining() && numBatchesTracked != null) {
            numBatchesTracked[0]++;
            if (momentum == null) {
                factor = 1.0 / numBatchesTracked[0];
            }
        }
        return Functional.batchNorm(input, runningMean, runningVar, weight, bias, isTraining(), factor, eps);
    }
}
