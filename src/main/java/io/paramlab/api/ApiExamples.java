package io.paramlab.api;

/**
 * Ready-to-run request bodies from the chapter, shown in Swagger UI. In order they walk through
 * the chapter: build net, rgnet and the tied model; initialize; forward and backward on X.
 */
final class ApiExamples {
    private ApiExamples() {
    }

    static final String NET = """
            {"name": "net",
             "model": {"type": "Sequential", "layers": [
               {"type": "Linear", "in_features": 4, "out_features": 8},
               {"type": "ReLU"},
               {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    static final String RGNET = """
            {"name": "rgnet",
             "model": {"type": "Sequential", "layers": [
               {"type": "Sequential", "layers": [
                 {"name": "block 0", "type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 8, "out_features": 4}, {"type": "ReLU"}]},
                 {"name": "block 1", "type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 8, "out_features": 4}, {"type": "ReLU"}]},
                 {"name": "block 2", "type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 8, "out_features": 4}, {"type": "ReLU"}]},
                 {"name": "block 3", "type": "Sequential", "layers": [
                   {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
                   {"type": "Linear", "in_features": 8, "out_features": 4}, {"type": "ReLU"}]}]},
               {"type": "Linear", "in_features": 4, "out_features": 1}]}}""";

    static final String TIED = """
            {"name": "tied", "seed": 42,
             "shared": {"shared": {"type": "Linear", "in_features": 8, "out_features": 8}},
             "model": {"type": "Sequential", "layers": [
               {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
               {"ref": "shared"}, {"type": "ReLU"},
               {"ref": "shared"}, {"type": "ReLU"},
               {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    static final String NORMS = """
            {"name": "norms",
             "model": {"type": "Sequential", "layers": [
               {"type": "Flatten"}, {"type": "Linear", "in_features": 12, "out_features": 8},
               {"type": "BatchNorm1d", "num_features": 8}, {"type": "GELU"},
               {"type": "Dropout", "p": 0.1}, {"type": "Linear", "in_features": 8, "out_features": 8},
               {"type": "LayerNorm", "normalized_shape": 8}, {"type": "Softmax", "dim": -1}]}}""";

    static final String INIT_NORMAL = """
            {"seed": 0, "rules": [{"layer_types": ["Linear"], "params": {
               "weight": {"type": "normal", "mean": 0, "std": 0.01}, "bias": {"type": "zeros"}}}]}""";

    static final String INIT_CONSTANT = """
            {"rules": [{"layer_types": ["Linear"], "params": {
               "weight": {"type": "constant", "value": 1}, "bias": {"type": "zeros"}}}]}""";

    static final String INIT_XAVIER_42 = """
            {"seed": 0, "rules": [
               {"module": "0", "layer_types": ["Linear"], "params": {"weight": {"type": "xavier_uniform"}}},
               {"module": "2", "layer_types": ["Linear"], "params": {"weight": {"type": "constant", "value": 42}}}]}""";

    static final String MY_INIT = """
            {"seed": 0, "rules": [{"layer_types": ["Linear"], "params": {"weight": {
               "type": "custom", "base": {"type": "uniform", "a": -10, "b": 10}, "expr": "w * (abs(w) >= 5)"}}}]}""";

    static final String FORWARD = """
            {"input": [[0.7576, 0.2793, 0.4031, 0.7347], [0.0293, 0.7999, 0.3971, 0.7544]]}""";

    static final String FORWARD_MODULE = """
            {"input": [[0.7576, 0.2793, 0.4031, 0.7347]], "module": "0"}""";

    static final String BACKWARD_SUM = """
            {"input": [[0.7576, 0.2793, 0.4031, 0.7347], [0.0293, 0.7999, 0.3971, 0.7544]], "loss": "sum"}""";

    static final String BACKWARD_MSE = """
            {"input": {"shape": [2, 4], "data": [0.7576, 0.2793, 0.4031, 0.7347, 0.0293, 0.7999, 0.3971, 0.7544]},
             "target": [[0.5], [1.0]], "loss": "mse"}""";

    static final String PATCH_ELEMENT = """
            {"index": [0, 0], "value": 100}""";

    static final String PATCH_REQUIRES_GRAD = """
            {"requires_grad": false}""";

    static final String PATCH_DATA = """
            {"data": {"shape": [1], "data": [0.5]}}""";

    static final String PATCH_MODEL = """
            {"training": false}""";

    static final String LOAD_PARTIAL = """
            {"2.bias": {"shape": [1], "dtype": "float32", "data": [0.5]}}""";
}
