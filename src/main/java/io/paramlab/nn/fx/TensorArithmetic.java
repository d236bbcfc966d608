package io.paramlab.nn.fx;

import io.paramlab.tensor.ShapeException;

/** Tensor arithmetic with broadcasting: the engine's ops (a placeholder until the engine's broadcasting lands). */
final class TensorArithmetic {
    private TensorArithmetic() {
    }

    static Object add(Object a, Object b) {
        throw pending("add");
    }

    static Object sub(Object a, Object b) {
        throw pending("sub");
    }

    static Object mul(Object a, Object b) {
        throw pending("mul");
    }

    static Object div(Object a, Object b) {
        throw pending("truediv");
    }

    static Object neg(Object a) {
        throw pending("neg");
    }

    private static ShapeException pending(String op) {
        return new ShapeException("tensor " + op + " is not available yet");
    }
}
