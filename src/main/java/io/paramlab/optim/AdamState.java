package io.paramlab.optim;

import io.paramlab.nn.TensorData;

import java.util.LinkedHashMap;

/** Adam's and AdamW's state: {@code step} (a float32 0-d tensor in 1.13), the two moments, and amsgrad's maximum. */
final class AdamState implements ParamState {
    float step;
    final float[] expAvg;
    final float[] expAvgSq;
    final float[] maxExpAvgSq;   // null unless the group had amsgrad when the state was made
    private final int[] shape;

    AdamState(float step, float[] expAvg, float[] expAvgSq, float[] maxExpAvgSq, int[] shape) {
        this.step = step;
        this.expAvg = expAvg;
        this.expAvgSq = expAvgSq;
        this.maxExpAvgSq = maxExpAvgSq;
        this.shape = shape;
    }

    static AdamState zeros(int numel, int[] shape, boolean amsgrad) {
        return new AdamState(0f, new float[numel], new float[numel], amsgrad ? new float[numel] : null, shape);
    }

    @Override
    public long elements() {
        return 1L + expAvg.length + expAvgSq.length + (maxExpAvgSq == null ? 0 : maxExpAvgSq.length);
    }

    @Override
    public ParamState copy() {
        return new AdamState(step, expAvg.clone(), expAvgSq.clone(), maxExpAvgSq == null ? null : maxExpAvgSq.clone(), shape);
    }

    @Override
    public LinkedHashMap<String, Object> pack() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("step", TensorData.ofFloats(new float[] {step}));
        out.put("exp_avg", TensorData.ofFloats(expAvg.clone(), shape.clone()));
        out.put("exp_avg_sq", TensorData.ofFloats(expAvgSq.clone(), shape.clone()));
        if (maxExpAvgSq != null) {
            out.put("max_exp_avg_sq", TensorData.ofFloats(maxExpAvgSq.clone(), shape.clone()));
        }
        return out;
    }
}
