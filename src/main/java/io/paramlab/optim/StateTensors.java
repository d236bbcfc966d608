package io.paramlab.optim;

import io.paramlab.nn.TensorData;
import io.paramlab.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reading the tensors of a loaded optimizer state: shapes must be the parameter's, values are copied as float32. */
final class StateTensors {
    private static final List<String> ADAM_KEYS = List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq");

    private StateTensors() {
    }

    /** A state tensor shaped like {@code param}, copied (and cast to float32, as load_state_dict's cast does). */
    static float[] like(Object value, Tensor param, String field) {
        if (!(value instanceof TensorData t)) {
            throw new OptimizerException(field, "must be a tensor");
        }
        if (!Arrays.equals(t.shape(), param.shape())) {
            throw new OptimizerException(field, "has shape " + TensorData.torchSize(t.shape())
                    + " but its parameter has shape " + TensorData.torchSize(param.shape()));
        }
        float[] out = new float[t.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.isFloat() ? t.floats()[i] : t.longs()[i];
        }
        return out;
    }

    static AdamState adamState(Map<String, Object> saved, Tensor param, ParamGroup group, String field) {
        Values.rejectUnknown(saved, ADAM_KEYS, field, "Adam's state");
        for (String key : new String[] {"step", "exp_avg", "exp_avg_sq"}) {
            if (!saved.containsKey(key)) {
                throw new OptimizerException(field, "has no '" + key + "'");
            }
        }
        boolean amsgrad = group.flag("amsgrad");
        if (amsgrad && !saved.containsKey("max_exp_avg_sq")) {
            throw new OptimizerException(field, "has no 'max_exp_avg_sq', which amsgrad needs");
        }
        float[] max = saved.get("max_exp_avg_sq") == null ? null
                : like(saved.get("max_exp_avg_sq"), param, field + ".max_exp_avg_sq");
        return new AdamState(step(saved.get("step"), field + ".step"), like(saved.get("exp_avg"), param, field + ".exp_avg"),
                like(saved.get("exp_avg_sq"), param, field + ".exp_avg_sq"), max, param.shape());
    }

    /** A 0-d (or one-element) tensor, or a number as pre-1.12 dicts saved it (PyTorch's __setstate__ converts it). */
    private static float step(Object value, String field) {
        if (value instanceof TensorData t) {
            if (t.numel() != 1) {
                throw new OptimizerException(field, "must be a tensor with one element, not " + TensorData.torchSize(t.shape()));
            }
            return t.isFloat() ? t.floats()[0] : t.longs()[0];
        }
        return (float) Values.number(value, field).doubleValue();
    }
}
