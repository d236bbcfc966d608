package io.paramlab.optim;

import io.paramlab.nn.TensorData;

import java.util.LinkedHashMap;

/** SGD's {@code momentum_buffer}: null when momentum is 0, as PyTorch stores None for every stepped parameter. */
final class MomentumState implements ParamState {
    float[] momentumBuffer;
    private final int[] shape;

    MomentumState(float[] momentumBuffer, int[] shape) {
        this.momentumBuffer = momentumBuffer;
        this.shape = shape;
    }

    @Override
    public long elements() {
        return momentumBuffer == null ? 0 : momentumBuffer.length;
    }

    @Override
    public ParamState copy() {
        return new MomentumState(momentumBuffer == null ? null : momentumBuffer.clone(), shape);
    }

    @Override
    public LinkedHashMap<String, Object> pack() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("momentum_buffer", momentumBuffer == null ? null : TensorData.ofFloats(momentumBuffer.clone(), shape.clone()));
        return out;
    }
}
