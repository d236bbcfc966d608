package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * torch.optim.SGD, 1.13's {@code _single_tensor_sgd} float for float: each {@code add(x, alpha=a)}
 * is one fused multiply-add with the scalar cast to float, as ATen's CPU kernel computes it.
 */
public final class SGD extends Optimizer {

    SGD(List<ParamGroup> groups) {
        super(groups);
    }

    @Override
    public OptimizerKind kind() {
        return OptimizerKind.SGD;
    }

    @Override
    void update(Tensor param, float[] grad, ParamGroup group) {
        float[] p = param.data();
        double weightDecay = group.number("weight_decay");
        double momentum = group.number("momentum");
        double dampening = group.number("dampening");
        boolean nesterov = group.flag("nesterov");
        float[] dp = group.flag("maximize") ? negated(grad) : grad;
        if (weightDecay != 0) {
            dp = addScaled(dp, p, (float) weightDecay);                    // d_p.add(param, alpha=weight_decay)
        }
        MomentumState s = (MomentumState) state.computeIfAbsent(param, t -> new MomentumState(null, t.shape()));
        if (momentum != 0) {
            if (s.momentumBuffer == null) {
                s.momentumBuffer = dp.clone();                             // torch.clone(d_p).detach()
            } else {
                float[] buf = s.momentumBuffer;
                float m = (float) momentum;
                float a = (float) (1 - dampening);
                for (int i = 0; i < buf.length; i++) {
                    buf[i] = Math.fma(dp[i], a, buf[i] * m);               // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
                }
            }
            dp = nesterov ? addScaled(dp, s.momentumBuffer, (float) momentum) : s.momentumBuffer;
        }
        float alpha = (float) -group.number("lr");
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.fma(dp[i], alpha, p[i]);                           // param.add_(d_p, alpha=-lr)
        }
    }

    /** {@code a.add(b, alpha=s)} into a new array. */
    static float[] addScaled(float[] a, float[] b, float s) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.fma(b[i], s, a[i]);
        }
        return out;
    }

    static float[] negated(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }

    @Override
    ParamState unpack(Map<String, Object> saved, Tensor param, ParamGroup savedGroup, String field) {
        Values.rejectUnknown(saved, List.of("momentum_buffer"), field, "SGD's state");
        if (!saved.containsKey("momentum_buffer")) {
            throw new OptimizerException(field, "has no 'momentum_buffer'");
        }
        Object buf = saved.get("momentum_buffer");
        return new MomentumState(buf == null ? null : StateTensors.like(buf, param, field + ".momentum_buffer"), param.shape());
    }

    @Override
    List<String> setStateDefaults() {
        return List.of("nesterov", "maximize", "foreach", "differentiable");
    }
}
