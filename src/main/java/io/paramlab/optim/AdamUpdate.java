package io.paramlab.optim;

import io.paramlab.tensor.Tensor;

/**
 * 1.13's {@code _single_tensor_adam} / {@code _single_tensor_adamw} for one parameter, rounding
 * where ATen's CPU kernels round: {@code add_(x, alpha)} is fma(x, alpha, self);
 * {@code addcmul_(a, b, value=v)} is fma(v * a, b, self) (GCC contracts the kernel, measured
 * bit for bit against 1.13); {@code addcdiv_(a, b, value=v)} is self + v * a / b; the bias
 * corrections are Python doubles from {@code step_t.item()}.
 */
final class AdamUpdate {
    private AdamUpdate() {
    }

    static void apply(Tensor param, float[] gradient, AdamState s, ParamGroup group, boolean decoupledWeightDecay) {
        float[] p = param.data();
        double lr = group.number("lr");
        double beta1 = group.beta(0);
        double beta2 = group.beta(1);
        double eps = group.number("eps");
        double weightDecay = group.number("weight_decay");
        boolean amsgrad = group.flag("amsgrad");
        float[] grad = group.flag("maximize") ? SGD.negated(gradient) : gradient;

        s.step += 1f;                                                      // step_t += 1 (float32)
        if (decoupledWeightDecay) {
            float decay = (float) (1 - lr * weightDecay);
            for (int i = 0; i < p.length; i++) {
                p[i] *= decay;                                             // param.mul_(1 - lr * weight_decay)
            }
        } else if (weightDecay != 0) {
            grad = SGD.addScaled(grad, p, (float) weightDecay);           // grad.add(param, alpha=weight_decay)
        }
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        double step = s.step;                                              // step_t.item()
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsF = (float) eps;
        float negStepSize = (float) -stepSize;
        float[] m = s.expAvg;
        float[] v = s.expAvgSq;
        float[] max = amsgrad ? s.maxExpAvgSq : null;
        // one pass per element: PyTorch's whole-tensor ops one after the other give each element the same operations in this order
        for (int i = 0; i < p.length; i++) {
            float mi = Math.fma(grad[i], oneMinusB1, m[i] * b1);           // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
            float vi = Math.fma(oneMinusB2 * grad[i], grad[i], v[i] * b2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            m[i] = mi;
            v[i] = vi;
            if (max != null) {
                vi = Math.max(max[i], vi);                                 // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=...)
                max[i] = vi;
            }
            float denom = (float) Math.sqrt(vi) / biasCorrection2Sqrt + epsF;   // (sqrt / bias_correction2_sqrt).add_(eps)
            p[i] = p[i] + negStepSize * mi / denom;                         // param.addcdiv_(exp_avg, denom, value=-step_size)
        }
    }
}
