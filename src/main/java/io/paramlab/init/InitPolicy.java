package io.paramlab.init;

/**
 * The nn.init policies with PyTorch's names and defaults; {@link #type()} is the API's name.
 * {@link Default} is the layer's own reset, which only the layer knows how to draw.
 */
public sealed interface InitPolicy {
    String type();

    record Zeros() implements InitPolicy {
        public String type() { return "zeros"; }
    }

    record Ones() implements InitPolicy {
        public String type() { return "ones"; }
    }

    record Constant(double value) implements InitPolicy {
        public String type() { return "constant"; }
    }

    record Uniform(double a, double b) implements InitPolicy {
        public String type() { return "uniform"; }
    }

    record Normal(double mean, double std) implements InitPolicy {
        public String type() { return "normal"; }
    }

    record XavierUniform(double gain) implements InitPolicy {
        public String type() { return "xavier_uniform"; }
    }

    record XavierNormal(double gain) implements InitPolicy {
        public String type() { return "xavier_normal"; }
    }

    /** {@code mode} is fan_in or fan_out; {@code a} is leaky_relu's negative slope. */
    record KaimingUniform(double a, String mode, String nonlinearity) implements InitPolicy {
        public String type() { return "kaiming_uniform"; }
    }

    record KaimingNormal(double a, String mode, String nonlinearity) implements InitPolicy {
        public String type() { return "kaiming_normal"; }
    }

    record TruncNormal(double mean, double std, double a, double b) implements InitPolicy {
        public String type() { return "trunc_normal"; }
    }

    record Orthogonal(double gain) implements InitPolicy {
        public String type() { return "orthogonal"; }
    }

    record Eye() implements InitPolicy {
        public String type() { return "eye"; }
    }

    record Default() implements InitPolicy {
        public String type() { return "default"; }
    }

    /** Draw {@code base}, then replace each element w by {@code expr(w)}. */
    record Custom(InitPolicy base, Expression expr) implements InitPolicy {
        public String type() { return "custom"; }
    }
}
