package io.paramlab.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * PyTorch's {@code gradcheck} for a float32 engine: the analytic gradient of
 * {@code L = sum(out * w)} (w fixed random weights, seeded per output) against central
 * differences of L evaluated in float64 from the float32 outputs. eps = 1e-2 keeps float32's
 * rounding (about 1e-7 relative per output) well under the difference, and the truncation
 * error (eps^2/6 times the third derivative) is about 1e-4 for the smooth ops here; an
 * element passes when |analytic - numeric| <= 2e-3 + 1e-2 max(|analytic|, |numeric|). A
 * gradient off by a sign, a factor or a missing term fails by far more.
 *
 * <p>Every float32 input is differentiated; int64 and bool inputs (targets, masks) are passed
 * as they are. Keep inputs small (each element costs two forwards) and away from kinks (use
 * {@link #randn}'s values, whose magnitudes are at least 0.1, or {@link #positive}).
 */
public final class GradCheck {
    static final double EPS = 1e-2;
    static final double ATOL = 2e-3;
    static final double RTOL = 1e-2;
    private static final Random RANDOM = new Random(19);

    private GradCheck() {
    }

    /** One case: a name for the report, an op from its inputs to its outputs, and the inputs' values. */
    public record Case(String name, Function<Tensor[], List<Tensor>> op, Tensor[] inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A case of an op with one output. */
    public static Case of(String name, Function<Tensor[], Tensor> op, Tensor... inputs) {
        return new Case(name, in -> List.of(op.apply(in)), inputs);
    }

    /** A case of an op with several outputs (split, chunk), all weighted into L. */
    public static Case ofMany(String name, Function<Tensor[], List<Tensor>> op, Tensor... inputs) {
        return new Case(name, op, inputs);
    }

    /** float32 values with magnitudes in [0.1, 1.5] and random signs, never near 0. */
    public static Tensor randn(int... shape) {
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            float magnitude = 0.1f + 1.4f * RANDOM.nextFloat();
            v[i] = RANDOM.nextBoolean() ? magnitude : -magnitude;
        }
        return Tensor.of(v, shape);
    }

    /** float32 values in [0.5, 2] (for sqrt, a divisor, a variance). */
    public static Tensor positive(int... shape) {
        float[] v = new float[Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = 0.5f + 1.5f * RANDOM.nextFloat();
        return Tensor.of(v, shape);
    }

    /** Runs the check; throws an AssertionError naming the input, the element and both gradients. */
    public static void check(Case c) {
        Tensor[] inputs = new Tensor[c.inputs().length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor given = c.inputs()[i];
            inputs[i] = given.dtype() == Dtype.FLOAT32 ? Tensor.parameter(given.data().clone(), given.shapeView()) : given;
        }
        List<Tensor> outputs = c.op().apply(inputs);
        List<float[]> weights = new ArrayList<>();
        Random random = new Random(7);
        for (Tensor out : outputs) {
            float[] w = new float[out.numel()];
            for (int i = 0; i < w.length; i++) w[i] = random.nextFloat() * 2 - 1;
            weights.add(w);
        }
        weightedSum(outputs, weights).backward();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < inputs.length; k++) {
            Tensor input = inputs[k];
            if (input.dtype() != Dtype.FLOAT32) continue;
            float[] x = input.data();
            float[] analytic = input.grad() == null ? new float[x.length] : input.grad().clone();
            for (int i = 0; i < x.length; i++) {
                float saved = x[i];
                x[i] = (float) (saved + EPS);
                double plus = evaluate(c, inputs, weights);
                x[i] = (float) (saved - EPS);
                double minus = evaluate(c, inputs, weights);
                x[i] = saved;
                double numeric = (plus - minus) / (2 * EPS);
                double error = Math.abs(analytic[i] - numeric);
                if (!(error <= ATOL + RTOL * Math.max(Math.abs(analytic[i]), Math.abs(numeric)))) {
                    failures.add("input " + k + " " + Shapes.format(input.shapeView()) + " element " + i + ": analytic "
                            + analytic[i] + ", numeric " + numeric);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(c.name() + ": " + failures.size() + " gradient elements differ from finite differences, e.g.\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(5, failures.size()))));
        }
    }

    /** L = sum(out * w) in float64 from the float32 outputs, without recording a graph. */
    private static double evaluate(Case c, Tensor[] inputs, List<float[]> weights) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            List<Tensor> outputs = c.op().apply(inputs);
            double sum = 0;
            for (int k = 0; k < outputs.size(); k++) {
                float[] y = outputs.get(k).data();
                float[] w = weights.get(k);
                for (int i = 0; i < y.length; i++) sum += (double) y[i] * w[i];
            }
            return sum;
        }
    }

    /** L as a graph node of its own, so the check's seed does not depend on the ops under test. */
    private static Tensor weightedSum(List<Tensor> outputs, List<float[]> weights) {
        double sum = 0;
        for (int k = 0; k < outputs.size(); k++) {
            float[] y = outputs.get(k).data();
            float[] w = weights.get(k);
            for (int i = 0; i < y.length; i++) sum += (double) y[i] * w[i];
        }
        Tensor[] outs = outputs.toArray(new Tensor[0]);
        if (Arrays.stream(outs).noneMatch(Tensor::requiresGrad)) {
            throw new AssertionError("no output requires a gradient: the op recorded no graph");
        }
        return Tensor.result(new float[] {(float) sum}, new int[0], g -> {
            for (int k = 0; k < outs.length; k++) {
                if (!outs[k].requiresGrad()) continue;
                float[] dy = outs[k].gradBuffer();
                float[] w = weights.get(k);
                for (int i = 0; i < dy.length; i++) dy[i] += g[0] * w[i];
            }
        }, outs);
    }
}
