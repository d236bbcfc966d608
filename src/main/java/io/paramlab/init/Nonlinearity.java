package io.paramlab.init;

import java.util.Arrays;
import java.util.List;

/** The nonlinearities of {@code nn.init.calculate_gain}, by PyTorch's names, each with its recommended gain. */
public enum Nonlinearity {
    LINEAR, CONV1D, CONV2D, CONV3D, CONV_TRANSPOSE1D, CONV_TRANSPOSE2D, CONV_TRANSPOSE3D, SIGMOID, TANH, RELU, LEAKY_RELU, SELU;

    /** PyTorch's name: {@code leaky_relu}. */
    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static List<String> apiNames() {
        return Arrays.stream(values()).map(Nonlinearity::apiName).toList();
    }

    public static Nonlinearity of(String apiName) {
        return valueOf(apiName.toUpperCase(java.util.Locale.ROOT));
    }

    /** {@code calculate_gain(nonlinearity, param)}; {@code param} is leaky_relu's negative slope (default 0.01). */
    public double gain(Double param) {
        return switch (this) {
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> {
                double slope = param == null ? 0.01 : param;
                yield Math.sqrt(2.0 / (1 + slope * slope));
            }
            case SELU -> 3.0 / 4;
            default -> 1;
        };
    }
}
