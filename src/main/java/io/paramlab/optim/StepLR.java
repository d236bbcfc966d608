package io.paramlab.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code StepLR(step_size, gamma=0.1)}: every step_size epochs the lr is multiplied by gamma. */
public final class StepLR extends LRScheduler {
    private long stepSize;
    private Number gamma;

    StepLR(Optimizer optimizer, long stepSize, Number gamma) {
        super(optimizer);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    public String type() {
        return "StepLR";
    }

    @Override
    LinkedHashMap<String, Object> options() {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        out.put("step_size", stepSize);
        out.put("gamma", gamma);
        return out;
    }

    @Override
    List<Number> lrs() {
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
            return currentLrs();
        }
        List<Number> out = new ArrayList<>();
        currentLrs().forEach(lr -> out.add(lr.doubleValue() * gamma.doubleValue()));
        return out;
    }

    @Override
    void validate(Map<String, Object> options) {
        if (options.containsKey("step_size")) {
            Schedulers.positive(Values.integer(options.get("step_size"), "step_size"), "step_size");
        }
    }

    @Override
    void setOptions(Map<String, Object> options) {
        if (options.containsKey("step_size")) stepSize = ((Number) options.get("step_size")).longValue();
        if (options.containsKey("gamma")) gamma = (Number) options.get("gamma");
    }
}
