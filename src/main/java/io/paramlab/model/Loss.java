package io.paramlab.model;

import java.util.Arrays;
import java.util.Optional;

/** The losses a backward pass can end in, by their API names; reduction is PyTorch's default 'mean'. */
public enum Loss {
    SUM("sum", false), MEAN("mean", false), MSE("mse", true), L1("l1", true),
    CROSS_ENTROPY("cross_entropy", true), BCE_WITH_LOGITS("bce_with_logits", true);

    private final String apiName;
    private final boolean needsTarget;

    Loss(String apiName, boolean needsTarget) {
        this.apiName = apiName;
        this.needsTarget = needsTarget;
    }

    public String apiName() {
        return apiName;
    }

    public boolean needsTarget() {
        return needsTarget;
    }

    public static Optional<Loss> byName(String name) {
        return Arrays.stream(values()).filter(l -> l.apiName.equals(name)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Loss::apiName).toList());
    }
}
