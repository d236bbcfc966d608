package io.paramlab.init;

/** {@code _calculate_fan_in_and_fan_out} and {@code _calculate_correct_fan} of torch.nn.init. */
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

    static long correctFan(int[] shape, FanMode mode) {
        long[] fans = fanInAndFanOut(shape);
        return mode == FanMode.FAN_IN ? fans[0] : fans[1];
    }
}
