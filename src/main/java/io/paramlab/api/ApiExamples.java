package io.paramlab.api;

/**
 * Ready-to-run request bodies from the chapter, shown in Swagger UI. In order they walk through
 * the README's chapter: build net, rgnet and the tied model; forward and backward on its X; then
 * net with seed 1 and the init requests with the README's seeds (PyTorch's numbers).
 * OpenApiContractTest checks each against its schema and OpenApiDocumentTest runs each.
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

    static final String NET_SEED_1 = """
            {"name": "net", "seed": 1,
             "model": {"type": "Sequential", "layers": [
               {"type": "Linear", "in_features": 4, "out_features": 8},
               {"type": "ReLU"},
               {"type": "Linear", "in_features": 8, "out_features": 1}]}}""";

    static final String NORMS = """
            {"name": "norms",
             "model": {"type": "Sequential", "layers": [
               {"type": "Flatten"}, {"type": "Linear", "in_features": 12, "out_features": 8},
               {"type": "BatchNorm1d", "num_features": 8}, {"type": "GELU"},
               {"type": "Dropout", "p": 0.1}, {"type": "Linear", "in_features": 8, "out_features": 8},
               {"type": "LayerNorm", "normalized_shape": 8}, {"type": "Softmax", "dim": -1}]}}""";

    static final String INIT_NORMAL = """
            {"seed": 2, "rules": [{"layer_types": ["Linear"], "params": {
               "weight": {"type": "normal", "mean": 0, "std": 0.01}, "bias": {"type": "zeros"}}}]}""";

    static final String INIT_CONSTANT = """
            {"rules": [{"layer_types": ["Linear"], "params": {
               "weight": {"type": "constant", "value": 1}, "bias": {"type": "zeros"}}}]}""";

    static final String INIT_XAVIER_42 = """
            {"seed": 3, "rules": [
               {"module": "0", "layer_types": ["Linear"], "params": {"weight": {"type": "xavier_uniform"}}},
               {"module": "2", "layer_types": ["Linear"], "params": {"weight": {"type": "constant", "value": 42}}}]}""";

    static final String MY_INIT = """
            {"seed": 4, "rules": [{"layer_types": ["Linear"], "params": {"weight": {
               "type": "custom", "base": {"type": "uniform", "a": -10, "b": 10}, "expr": "w * (abs(w) >= 5)"}}}]}""";

    static final String FORWARD = """
            {"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}""";

    static final String FORWARD_MODULE = """
            {"input": [[0.1, 0.2, 0.3, 0.4]], "module": "0"}""";

    static final String BACKWARD_SUM = """
            {"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], "loss": "sum"}""";

    static final String BACKWARD_MSE = """
            {"input": {"shape": [2, 4], "data": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]},
             "target": [[0.5], [1.0]], "loss": "mse"}""";

    static final String PATCH_ELEMENT = """
            {"index": [0, 0], "value": 100}""";

    static final String PATCH_REQUIRES_GRAD = """
            {"requires_grad": false}""";

    /** A whole new value of a [1, 8] weight, the last layer of net or tied (2.weight of net). */
    static final String PATCH_DATA = """
            {"data": [[0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8]]}""";

    static final String PATCH_MODEL = """
            {"training": false}""";

    /** net's whole state dict (loads with strict=true), weights flat with their shape or nested. */
    static final String LOAD_NET = """
            {"0.weight": {"shape": [8, 4], "dtype": "float32", "data": [
               0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4, 0.5, 0.6, 0.7, 0.8, -0.5, -0.6, -0.7, -0.8,
               0.1, -0.1, 0.1, -0.1, 0.2, -0.2, 0.2, -0.2, 0.3, -0.3, 0.3, -0.3, 0.4, -0.4, 0.4, -0.4]},
             "0.bias": [0, 0.1, 0, 0.1, 0, 0.1, 0, 0.1],
             "2.weight": [[1, -1, 1, -1, 1, -1, 1, -1]],
             "2.bias": {"data": [0.5]}}""";

    static final String CHECKPOINT = """
            {"tag": "epoch-3", "message": "before lowering the learning rate"}""";

    static final String FORK = """
            {"name": "net (fork)"}""";
}
