package io.paramlab.nn;

import io.paramlab.tensor.Tensor;

import java.util.Arrays;

/** The affine weight and bias of the norm layers: their reset is ones and zeros. */
final class Affine {
    private Affine() {
    }

    /** Resets the named one of weight and bias; false when the name is neither (or the layer has no affine part). */
    static boolean reset(String name, Tensor weight, Tensor bias) {
        if (name.equals("weight") && weight != null) {
            Arrays.fill(weight.data(), 1f);
            return true;
        }
        if (name.equals("bias") && bias != null) {
            Arrays.fill(bias.data(), 0f);
            return true;
        }
        return false;
    }

    static void resetBoth(Tensor weight, Tensor bias) {
        reset("weight", weight, bias);
        reset("bias", weight, bias);
    }
}
