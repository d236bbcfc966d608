package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** torch.optim.AdamW, 1.13's single-tensor path ({@link AdamUpdate}); decoupled weight decay on the parameter. */
public final class AdamW extends Optimizer {

    AdamW(List<ParamGroup> groups) {
        super(groups);
    }

    @Override
    public OptimizerKind kind() {
        return OptimizerKind.ADAMW;
    }

    @Override
    void update(Tensor param, float[] grad, ParamGroup group) {
        AdamState s = (AdamState) state.computeIfAbsent(param,
                t -> AdamState.zeros(t.numel(), t.shape(), group.flag("amsgrad")));
        AdamUpdate.apply(param, grad, s, group, true);
    }

    @Override
    ParamState unpack(Map<String, Object> saved, Tensor param, ParamGroup savedGroup, String field) {
        return StateTensors.adamState(saved, param, savedGroup, field);
    }

    @Override
    List<String> setStateDefaults() {
        return List.of("amsgrad", "maximize", "foreach", "capturable");
    }
}
