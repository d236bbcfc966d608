package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** torch.optim.Adam, 1.13's single-tensor path ({@link AdamUpdate}); L2 weight decay added to the gradient. */
public final class Adam extends Optimizer {

    Adam(List<ParamGroup> groups) {
        super(groups);
    }

    @Override
    public OptimizerKind kind() {
        return OptimizerKind.ADAM;
    }

    @Override
    void update(Tensor param, float[] grad, ParamGroup group) {
        AdamState s = (AdamState) state.computeIfAbsent(param,
                t -> AdamState.zeros(t.numel(), t.shape(), group.flag("amsgrad")));
        AdamUpdate.apply(param, grad, s, group, false);
    }

    @Override
    ParamState unpack(Map<String, Object> saved, Tensor param, ParamGroup savedGroup, String field) {
        return StateTensors.adamState(saved, param, savedGroup, field);
    }

    @Override
    List<String> setStateDefaults() {
        return List.of("amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused");
    }
}
