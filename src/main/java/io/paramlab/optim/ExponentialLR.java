package io.paramlab.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ExponentialLR(gamma)}: every epoch the lr is multiplied by gamma. */
public final class ExponentialLR extends LRScheduler {
    private Number gamma;

    ExponentialLR(Optimizer optimizer, Number gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    public String type() {
        return "ExponentialLR";
    }

    @Override
    LinkedHashMap<String, Object> options() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("gamma", gamma);
        return out;
    }

    @Override
    List<Number> lrs() {
        if (lastEpoch == 0) {
            return currentLrs();
        }
        List<Number> out = new ArrayList<>();
        currentLrs().forEach(lr -> out.add(lr.doubleValue() * gamma.doubleValue()));
        return out;
    }

    @Override
    void validate(Map<String, Object> options) {
    }

    @Override
    void setOptions(Map<String, Object> options) {
        if (options.containsKey("gamma")) gamma = (Number) options.get("gamma");
    }
}
