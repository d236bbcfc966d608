package io.paramlab.init;

/** {@code _calculate_fan_in_and_fan_out} and {@code calculate_gain} of torch.nn.init. */
public final class Fans {
    private Fans() {
    }

    /** {fan_in, fan_out}: dim 1 and dim 0 times the receptive field (the product of dims from 2 on). */
    public static long[] fanInAndFanOut(int[] shape) {
        if (shape.length < 2) {
            throw new InitException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        }
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive *= shape[i];
        return new long[] {shape[1] * receptive, shape[0] * receptive};
    }

    static long correctFan(int[] shape, String mode) {
        long[] fans = fanInAndFanOut(shape);
        return switch (mode) {
            case "fan_in" -> fans[0];
            case "fan_out" -> fans[1];
            default -> throw new InitException("Mode " + mode + " not supported, please use one of ['fan_in', 'fan_out']");
        };
    }

    /** The recommended gain for a nonlinearity; {@code param} is leaky_relu's negative slope (default 0.01). */
    public static double calculateGain(String nonlinearity, Double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> {
                double slope = param == null ? 0.01 : param;
                yield Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu" -> 3.0 / 4;
            default -> throw new InitException("Unsupported nonlinearity " + nonlinearity);
        };
    }
}
