package io.paramlab.init;

import io.paramlab.tensor.Deadline;
import io.paramlab.tensor.Generator;

import java.util.Arrays;

/**
 * The nn.init policies with PyTorch's names and defaults; {@link #type()} is the API's name and
 * {@link #fill} is the nn.init function of that name, drawing from the generator as it draws.
 * {@link Default} is the layer's own reset, which only the layer knows how to draw.
 */
public sealed interface InitPolicy {
    double SQRT_3 = Math.sqrt(3.0);

    String type();

    /** Fills {@code data} (of {@code shape}) in place. */
    void fill(float[] data, int[] shape, Generator generator);

    /** Operations per element this policy does on {@code shape}, the measure of paramlab.limits.max-init-work. */
    default long costPerElement(int[] shape) {
        return 1;
    }

    record Zeros() implements InitPolicy {
        public String type() { return "zeros"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Arrays.fill(data, 0f);
        }
    }

    record Ones() implements InitPolicy {
        public String type() { return "ones"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Arrays.fill(data, 1f);
        }
    }

    record Constant(double value) implements InitPolicy {
        public String type() { return "constant"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Arrays.fill(data, (float) value);
        }
    }

    record Uniform(double a, double b) implements InitPolicy {
        public String type() { return "uniform"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Initializer.uniform(data, a, b, generator);
        }
    }

    record Normal(double mean, double std) implements InitPolicy {
        public String type() { return "normal"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            if (std < 0) {
                throw new InitException("normal expects std >= 0.0, but found std " + Initializer.cpp(std));
            }
            generator.normal(data, mean, std);
        }
    }

    record XavierUniform(double gain) implements InitPolicy {
        public String type() { return "xavier_uniform"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            double bound = SQRT_3 * Initializer.xavierStd(shape, gain);
            generator.uniform(data, -bound, bound);
        }
    }

    record XavierNormal(double gain) implements InitPolicy {
        public String type() { return "xavier_normal"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            generator.normal(data, 0, Initializer.xavierStd(shape, gain));
        }
    }

    /** {@code a} is leaky_relu's negative slope. */
    record KaimingUniform(double a, FanMode mode, Nonlinearity nonlinearity) implements InitPolicy {
        public String type() { return "kaiming_uniform"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            double bound = SQRT_3 * Initializer.kaimingStd(shape, a, mode, nonlinearity);
            generator.uniform(data, -bound, bound);
        }
    }

    record KaimingNormal(double a, FanMode mode, Nonlinearity nonlinearity) implements InitPolicy {
        public String type() { return "kaiming_normal"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            generator.normal(data, 0, Initializer.kaimingStd(shape, a, mode, nonlinearity));
        }
    }

    record TruncNormal(double mean, double std, double a, double b) implements InitPolicy {
        public String type() { return "trunc_normal"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Initializer.truncNormal(data, this, generator);
        }
    }

    record Orthogonal(double gain) implements InitPolicy {
        public String type() { return "orthogonal"; }

        /** Householder QR of an m x n matrix is O(m n^2): per element, the smaller side. */
        public long costPerElement(int[] shape) {
            if (shape.length < 2 || shape[0] == 0) return 1;
            long rows = shape[0];
            long cols = 1;
            for (int i = 1; i < shape.length; i++) cols *= shape[i];
            return Math.max(1, Math.min(rows, cols));
        }

        public void fill(float[] data, int[] shape, Generator generator) {
            io.paramlab.init.Orthogonal.fill(data, shape, gain, generator);
        }
    }

    record Eye() implements InitPolicy {
        public String type() { return "eye"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            Initializer.eye(data, shape);
        }
    }

    record Default() implements InitPolicy {
        public String type() { return "default"; }

        public void fill(float[] data, int[] shape, Generator generator) {
            throw new IllegalStateException("the layer's own reset (default) is drawn by the layer, not here");
        }
    }

    /** Draw {@code base}, then replace each element w by {@code expr(w)}. */
    record Custom(InitPolicy base, Expression expr) implements InitPolicy {
        public String type() { return "custom"; }

        public long costPerElement(int[] shape) {
            return base.costPerElement(shape) + expr.size();
        }

        public void fill(float[] data, int[] shape, Generator generator) {
            base.fill(data, shape, generator);
            for (int i = 0; i < data.length; i++) {
                if ((i & 0xFFFF) == 0) Deadline.check();
                data[i] = expr.apply(data[i]);
            }
        }
    }
}
