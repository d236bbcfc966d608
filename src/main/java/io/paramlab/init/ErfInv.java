package io.paramlab.init;

/** erf and its inverse in double precision, for trunc_normal (Java's Math has neither). */
final class ErfInv {
    private ErfInv() {
    }

    /** erf by its Taylor series near 0 and a continued fraction of erfc further out; about 1e-15 relative. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (ax > 27) {
            r = 1;
        } else {
            double f = ax;   // Lentz's continued fraction for erfc
            for (int n = 60; n >= 1; n--) f = ax + (n / 2.0) / f;
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    /** The inverse of erf on (-1, 1): an initial guess refined by Newton steps on erf. */
    static double erfinv(double y) {
        if (y <= -1) return y == -1 ? Double.NEGATIVE_INFINITY : Double.NaN;
        if (y >= 1) return y == 1 ? Double.POSITIVE_INFINITY : Double.NaN;
        double w = -Math.log((1 - y) * (1 + y));
        double x;
        if (w < 5) {   // Giles' single-precision approximation as the start
            w -= 2.5;
            x = 2.81022636e-08;
            x = 3.43273939e-07 + x * w;
            x = -3.5233877e-06 + x * w;
            x = -4.39150654e-06 + x * w;
            x = 0.00021858087 + x * w;
            x = -0.00125372503 + x * w;
            x = -0.00417768164 + x * w;
            x = 0.246640727 + x * w;
            x = 1.50140941 + x * w;
        } else {
            w = Math.sqrt(w) - 3;
            x = -0.000200214257;
            x = 0.000100950558 + x * w;
            x = 0.00134934322 + x * w;
            x = -0.00367342844 + x * w;
            x = 0.00573950773 + x * w;
            x = -0.0076224613 + x * w;
            x = 0.00943887047 + x * w;
            x = 1.00167406 + x * w;
            x = 2.83297682 + x * w;
        }
        x *= y;
        for (int i = 0; i < 3; i++) {
            double err = erf(x) - y;
            x -= err / (2 / Math.sqrt(Math.PI) * Math.exp(-x * x));
        }
        return x;
    }
}
