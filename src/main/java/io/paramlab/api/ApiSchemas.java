package io.paramlab.api;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * Documentation-only shapes of the JSON the API reads and writes where the Java side is not a
 * plain record (specs and init requests are read from JSON trees with their own validation;
 * tensors have their own codec). Component names are the JSON field names.
 */
@SuppressWarnings("unused")
final class ApiSchemas {
    private ApiSchemas() {
    }

    @Schema(name = "Tensor", description = "A tensor. Output: data nested row-major as tensor.tolist(), a bare number for a 0-d "
            + "tensor. Input: the same object (data nested, or flat with shape; dtype optional, float32 by default) or a bare "
            + "nested array whose shape is inferred. Non-finite values travel as \"NaN\", \"Infinity\", \"-Infinity\".",
            example = "{\"shape\": [2, 4], \"dtype\": \"float32\", \"data\": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}")
    record Tensor(@Schema(example = "[2, 4]") List<Integer> shape,
                  @Schema(allowableValues = {"float32", "int64"}) String dtype,
                  @Schema(description = "nested lists of numbers (or a number for shape [])") Object data) {
    }

    @Schema(name = "Parameter", description = "A named parameter; data and grad appear when included (grad null before any backward)")
    record Parameter(@Schema(example = "0.weight") String name, @Schema(example = "[8, 4]") List<Integer> shape,
                     @Schema(allowableValues = "float32") String dtype, boolean requires_grad,
                     @Schema(description = "the parameter's other names (tied parameters)") List<String> aliases,
                     Tensor data, Tensor grad) {
    }

    @Schema(name = "StateDict", description = "Keys in PyTorch's state_dict() order, each a tensor", type = "object",
            additionalPropertiesSchema = Tensor.class)
    record StateDict() {
    }

    @Schema(name = "ModelSpec", description = "A model: the root node, shared modules referenced by {\"ref\": KEY}, an optional "
            + "seed. Construction order, which decides what a seed draws: shared in JSON order, then model depth-first.")
    record ModelSpec(@Schema(example = "net") String name,
                     @Schema(description = "seeds the model's generator as torch.manual_seed(seed) before construction; "
                             + "absent: a random seed, reported on the model") Long seed,
                     @Schema(description = "modules used by reference; a ref is the same object (tied parameters). "
                             + "A shared entry may ref earlier entries only.") Map<String, Node> shared,
                     @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Node model) {
    }

    @Schema(name = "Node", description = "A layer, a Sequential, or a ref. Inside layers any node may carry a name "
            + "(default: its index); names are non-empty, without \".\" or \"/\", unique among siblings.",
            oneOf = {Sequential.class, Ref.class, Linear.class, Activation.class, LeakyReLU.class, GELU.class, Softmax.class,
                    Dropout.class, Flatten.class, LayerNorm.class, BatchNorm1d.class})
    interface Node {
    }

    @Schema(name = "Sequential", description = "nn.Sequential: children applied in order")
    record Sequential(@Schema(allowableValues = "Sequential", requiredMode = Schema.RequiredMode.REQUIRED) String type,
                      String name, List<Node> layers) implements Node {
    }

    @Schema(name = "Ref", description = "the shared module of that key, itself, never a copy")
    record Ref(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "shared") String ref, String name) implements Node {
    }

    @Schema(name = "Linear", description = "nn.Linear: weight [out, in], bias [out]; drawn as reset_parameters() does")
    record Linear(@Schema(allowableValues = "Linear", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                  @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "1", example = "4") Integer in_features,
                  @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "1", example = "8") Integer out_features,
                  @Schema(defaultValue = "true") Boolean bias) implements Node {
    }

    @Schema(name = "Activation", description = "nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Identity")
    record Activation(@Schema(allowableValues = {"ReLU", "Sigmoid", "Tanh", "Identity"},
            requiredMode = Schema.RequiredMode.REQUIRED) String type, String name) implements Node {
    }

    @Schema(name = "LeakyReLU")
    record LeakyReLU(@Schema(allowableValues = "LeakyReLU", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                     @Schema(defaultValue = "0.01") Double negative_slope) implements Node {
    }

    @Schema(name = "GELU")
    record GELU(@Schema(allowableValues = "GELU", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                @Schema(allowableValues = {"none", "tanh"}, defaultValue = "none") String approximate) implements Node {
    }

    @Schema(name = "Softmax")
    record Softmax(@Schema(allowableValues = "Softmax", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                   @Schema(defaultValue = "-1") Integer dim) implements Node {
    }

    @Schema(name = "Dropout", description = "drops in training mode only")
    record Dropout(@Schema(allowableValues = "Dropout", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                   @Schema(defaultValue = "0.5", minimum = "0", maximum = "1") Double p) implements Node {
    }

    @Schema(name = "Flatten")
    record Flatten(@Schema(allowableValues = "Flatten", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                   @Schema(defaultValue = "1") Integer start_dim, @Schema(defaultValue = "-1") Integer end_dim) implements Node {
    }

    @Schema(name = "LayerNorm", description = "weight ones, bias zeros")
    record LayerNorm(@Schema(allowableValues = "LayerNorm", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                     @Schema(description = "an int or a list of ints", requiredMode = Schema.RequiredMode.REQUIRED, example = "8")
                     Object normalized_shape,
                     @Schema(defaultValue = "1e-5") Double eps, @Schema(defaultValue = "true") Boolean elementwise_affine)
            implements Node {
    }

    @Schema(name = "BatchNorm1d", description = "buffers running_mean, running_var, num_batches_tracked (int64)")
    record BatchNorm1d(@Schema(allowableValues = "BatchNorm1d", requiredMode = Schema.RequiredMode.REQUIRED) String type, String name,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED, minimum = "1", example = "8") Integer num_features,
                       @Schema(defaultValue = "1e-5") Double eps,
                       @Schema(defaultValue = "0.1", description = "null: a cumulative average") Double momentum,
                       @Schema(defaultValue = "true") Boolean affine, @Schema(defaultValue = "true") Boolean track_running_stats)
            implements Node {
    }

    @Schema(name = "InitRequest", description = "Rules applied in order, after restarting the model's generator from seed if given.")
    record InitRequest(@Schema(description = "as torch.manual_seed(seed) right before the same calls") Long seed,
                       @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<InitRule> rules) {
    }

    @Schema(name = "InitRule", description = "net[module].apply(fn): each module under module once, children before parents; "
            + "fn skips types not in layer_types and initializes each named local parameter in order.")
    record InitRule(@Schema(description = "a module path; \"\" is the root", defaultValue = "") String module,
                    @Schema(description = "absent: all types", example = "[\"Linear\"]") List<String> layer_types,
                    @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "local parameter name to policy")
                    Map<String, Policy> params) {
    }

    @Schema(name = "Policy", description = "An nn.init policy with PyTorch's defaults: zeros, ones, constant{value}, "
            + "uniform{a=0,b=1}, normal{mean=0,std=1}, xavier_uniform{gain=1}, xavier_normal{gain=1}, "
            + "kaiming_uniform{a=0,mode=fan_in,nonlinearity=leaky_relu}, kaiming_normal{same}, "
            + "trunc_normal{mean=0,std=1,a=-2,b=2}, orthogonal{gain=1}, eye, default (the layer's own reset), "
            + "custom{base, expr}: draw base, then replace each element w by expr, a small arithmetic language over w "
            + "(numbers, + - * /, comparisons giving 1 or 0, abs sign min max sqrt exp log clamp where).",
            example = "{\"type\": \"custom\", \"base\": {\"type\": \"uniform\", \"a\": -10, \"b\": 10}, \"expr\": \"w * (abs(w) >= 5)\"}")
    record Policy(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"zeros", "ones", "constant", "uniform",
            "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "trunc_normal", "orthogonal", "eye",
            "default", "custom"}) String type,
                  Double value, Double a, Double b, Double mean, Double std, Double gain,
                  @Schema(allowableValues = {"fan_in", "fan_out"}) String mode,
                  @Schema(allowableValues = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                          "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"}) String nonlinearity,
                  Policy base, @Schema(example = "w * (abs(w) >= 5)") String expr) {
    }

    @Schema(name = "Problem", description = "RFC 9457 problem details (application/problem+json)")
    record Problem(@Schema(example = "urn:paramlab:problem:shape-mismatch") String type,
                   @Schema(example = "Shapes do not fit") String title,
                   @Schema(example = "422") int status,
                   @Schema(example = "mat1 and mat2 shapes cannot be multiplied (2x5 and 4x8)") String detail,
                   String instance,
                   @Schema(description = "for invalid input: each field at fault") List<FieldProblem> errors,
                   @Schema(description = "for limits: the limit's name") String limit,
                   @Schema(description = "for limits: the number asked for") Long actual,
                   @Schema(description = "for limits: the configured maximum") Long maximum) {
    }

    @Schema(name = "FieldProblem")
    record FieldProblem(@Schema(example = "model.layers[2].in_features") String field,
                        @Schema(example = "must be at least 1, got 0") String message) {
    }
}
