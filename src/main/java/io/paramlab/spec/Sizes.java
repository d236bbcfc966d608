package io.paramlab.spec;

/** Element counts that saturate at Long.MAX_VALUE instead of overflowing, so a hostile spec cannot wrap past a limit. */
final class Sizes {
    private Sizes() {
    }

    static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    static long multiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }
}
