package io.paramlab.nn;

import io.paramlab.tensor.Functional;
import io.paramlab.tensor.Generator;
import io.paramlab.tensor.Tensor;

import java.util.Map;

/**
 * {@code nn.BatchNorm1d}: batch statistics in training mode, which also move the running ones
 * and count {@code num_batches_tracked}; running statistics in eval mode.
 */
public final class BatchNorm1d extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;   // null: cumulative average, as momentum=None in PyTorch
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final long[] numBatchesTracked;

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
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

    /**
     * PyTorch's {@code _load_from_state_dict} at {@code _version = 2}: a dict from before version 2
     * (or with no {@code _metadata}, so no version) may lack num_batches_tracked, which loads as 0.
     */
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
        return "BatchNorm1d";
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
