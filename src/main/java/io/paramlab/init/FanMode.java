package io.paramlab.init;

import java.util.Arrays;
import java.util.List;

/** The {@code mode} of the kaiming policies: which fan the std divides by. */
public enum FanMode {
    FAN_IN, FAN_OUT;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static List<String> apiNames() {
        return Arrays.stream(values()).map(FanMode::apiName).toList();
    }

    public static FanMode of(String apiName) {
        return valueOf(apiName.toUpperCase(java.util.Locale.ROOT));
    }
}
