package io.paramlab.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code CosineAnnealingLR(T_max, eta_min=0)} in 1.13's recursive form: each lr follows from the
 * previous one, so it keeps cycling past T_max (and composes with a changed lr) as PyTorch's does.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private long tMax;
    private Number etaMin;

    CosineAnnealingLR(Optimizer optimizer, long tMax, Number etaMin) {
        super(optimizer);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    public String type() {
        return "CosineAnnealingLR";
    }

    @Override
    LinkedHashMap<String, Object> options() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("T_max", tMax);
        out.put("eta_min", etaMin);
        return out;
    }

    @Override
    List<Number> lrs() {
        List<Number> current = currentLrs();
        if (lastEpoch == 0) {
            return current;
        }
        double eta = etaMin.doubleValue();
        double t = tMax;
        List<Number> out = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            double lr = current.get(i).doubleValue();
            double base = baseLrs.get(i).doubleValue();
            if (stepCount == 1 && lastEpoch > 0) {
                out.add(eta + (base - eta) * (1 + StrictMath.cos(lastEpoch * Math.PI / t)) / 2);
            } else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
                out.add(lr + (base - eta) * (1 - StrictMath.cos(Math.PI / t)) / 2);
            } else {
                out.add((1 + StrictMath.cos(Math.PI * lastEpoch / t))
                        / (1 + StrictMath.cos(Math.PI * (lastEpoch - 1) / t)) * (lr - eta) + eta);
            }
        }
        return out;
    }

    @Override
    void validate(Map<String, Object> options) {
        if (options.containsKey("T_max")) {
            Schedulers.positive(Values.integer(options.get("T_max"), "T_max"), "T_max");
        }
    }

    @Override
    void setOptions(Map<String, Object> options) {
        if (options.containsKey("T_max")) tMax = ((Number) options.get("T_max")).longValue();
        if (options.containsKey("eta_min")) etaMin = (Number) options.get("eta_min");
    }
}
