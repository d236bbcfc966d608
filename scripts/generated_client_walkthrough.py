"""The README's walkthrough through a Python client that openapi-generator made from /v3/api-docs.

Usage: PYTHONPATH=target/python-client python3 scripts/generated_client_walkthrough.py http://localhost:18080
Run by scripts/generated-client-check.sh, which generates the client and starts the service.
Every call goes through the generated methods and models, so a schema that lies about a body
fails here as it would in a user's program.
"""
import math
import sys

import paramlab_client as pc
from paramlab_client.exceptions import ApiException

X = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]
NET = {"name": "net", "model": {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 4, "out_features": 8},
    {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}
BLOCK1 = {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 4}, {"type": "ReLU"}]}
TIED = {"name": "tied", "seed": 42,
        "shared": {"shared": {"type": "Linear", "in_features": 8, "out_features": 8}},
        "model": {"type": "Sequential", "layers": [
            {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
            {"ref": "shared"}, {"type": "ReLU"},
            {"ref": "shared"}, {"type": "ReLU"},
            {"type": "Linear", "in_features": 8, "out_features": 1}]}}

checks = 0


def check(what, condition):
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1
    print("ok  " + what)


def close(a, b, tol=1e-5):
    return abs(a - b) <= tol + 1e-4 * abs(b)


def tensor_output(output):
    """A forward's `output` is the schema `Output` (a tensor, or a list for a tuple): the generator
    wraps the union, and a plain model's output is its tensor."""
    return getattr(output, "actual_instance", output)


def main(base):
    client = pc.ApiClient(pc.Configuration(host=base))
    models, params = pc.ModelsApi(client), pc.ParametersApi(client)
    state, compute, init = pc.StateDictApi(client), pc.ComputeApi(client), pc.InitApi(client)

    # net
    net = models.create_model(pc.ModelSpec.from_dict(NET))
    check("create net: repr", net.repr.splitlines()[1] == "  (0): Linear(in_features=4, out_features=8, bias=True)")
    check("get net: spec with defaults", models.get_model(net.id).spec.model.to_dict()["layers"][0]["bias"] is True)
    check("list models has net", net.id in [m.id for m in models.list_models()])
    out = tensor_output(compute.forward(net.id, pc.ForwardRequest(input=pc.TensorInput(X))).output)
    check("forward net(X): shape [2, 1]", out.shape == [2, 1] and len(out.data) == 2)
    sd = state.get_state_dict(net.id, module="2")
    check("net[2].state_dict(): weight [1, 8], bias [1]", {k: v.shape for k, v in sd.items()} == {"weight": [1, 8], "bias": [1]})
    bias = params.get_parameter(net.id, "2.bias")
    check("net[2].bias: data, grad None", bias.data.shape == [1] and bias.grad is None)
    named = [(p.name, p.shape) for p in params.list_parameters(net.id)]
    check("named_parameters", named == [("0.weight", [8, 4]), ("0.bias", [8]), ("2.weight", [1, 8]), ("2.bias", [1])])
    with_data = params.list_parameters(net.id, include=["data", "grad"])
    check("include=data,grad", with_data[0].data.shape == [8, 4] and with_data[0].grad is None)
    modules = models.list_modules(net.id)
    check("named_modules", [m.path for m in modules] == ["", "0", "1", "2"])

    # rgnet
    blocks = [dict(BLOCK1, name="block %d" % i) for i in range(4)]
    rgnet = models.create_model(pc.ModelSpec.from_dict({"name": "rgnet", "model": {"type": "Sequential", "layers": [
        {"type": "Sequential", "layers": blocks}, {"type": "Linear", "in_features": 4, "out_features": 1}]}}))
    check("rgnet repr", "(block 0): Sequential(" in rgnet.repr)
    check("rgnet[0][1][0].bias", params.get_parameter(rgnet.id, "0.block 1.0.bias").shape == [8])

    # the tied model
    tied = models.create_model(pc.ModelSpec.from_dict(TIED))
    params.patch_parameter(tied.id, "2.weight", pc.ParameterPatch(index=[0, 0], value=100))
    through4 = params.get_parameter(tied.id, "4.weight")
    check("tied write seen through 4.weight", through4.data.data[0][0] == 100 and through4.aliases == ["2.weight"])
    check("named_parameters lists the tied weight once",
          [p.name for p in params.list_parameters(tied.id)] == ["0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias"])
    check("state_dict has it under both keys", list(state.get_state_dict(tied.id).keys())
          == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "6.weight", "6.bias"])
    result = compute.backward(tied.id, pc.BackwardRequest(input=pc.TensorInput(X), loss="sum"))
    check("backward sum: loss 1.523725", close(result.loss, 1.523725))
    grad = params.get_parameter(tied.id, "2.weight").grad.data[0]
    expected = [0.018673304, 0.7420716, 0.05832301, 0, 0, 0, 4.145763, 0.030158648]
    check("summed gradient of the shared layer", all(close(g, e) for g, e in zip(grad, expected)))
    compute.zero_grad(tied.id)
    check("zero_grad", all(v == 0 for row in params.get_parameter(tied.id, "2.weight").grad.data for v in row))

    # non-finite values travel as strings, in and out
    params.patch_parameter(net.id, "2.bias", pc.ParameterPatch(index=[0], value="NaN"))
    out = tensor_output(compute.forward(net.id, pc.ForwardRequest(input=pc.TensorInput([[1, 2, 3, 4]]))).output)
    check("NaN out as the string", out.data == [["NaN"]])
    nan_loss = compute.backward(net.id, pc.BackwardRequest(input=pc.TensorInput([[1, 2, 3, 4]]), loss="sum")).loss
    check("NaN loss as the string", nan_loss == "NaN")

    # a whole state dict in, object and bare-array tensors
    loaded = state.load_state_dict(net.id, request_body={
        "0.weight": pc.TensorInput(pc.TensorObject(shape=[8, 4], data=[0.1] * 32)),
        "0.bias": pc.TensorInput([0.0] * 8), "2.weight": pc.TensorInput([[1.0] * 8]), "2.bias": pc.TensorInput([0.5])})
    check("load_state_dict: no missing or unexpected keys", loaded.missing_keys == [] and loaded.unexpected_keys == [])

    # init, on net with seed 1 (the README's numbers)
    net = models.create_model(pc.ModelSpec.from_dict(dict(NET, seed=1)))
    check("seeded net[2].bias", close(params.get_parameter(net.id, "2.bias").data.data[0], -0.10209109))
    done = init.init_model(net.id, pc.InitRequest.from_dict({"seed": 2, "rules": [{"layer_types": ["Linear"], "params": {
        "weight": {"type": "normal", "mean": 0, "std": 0.01}, "bias": {"type": "zeros"}}}]}))
    check("init_normal: initialized in order", [(i.name, i.shape, i.policy) for i in done.initialized] == [
        ("0.weight", [8, 4], "normal"), ("0.bias", [8], "zeros"), ("2.weight", [1, 8], "normal"), ("2.bias", [1], "zeros")])
    row = params.get_parameter(net.id, "0.weight").data.data[0]
    check("init_normal numbers", all(close(a, b, 1e-8) for a, b in zip(row, [-0.010408011, 0.009166041, -0.013041906, -0.011096784])))
    init.init_model(net.id, pc.InitRequest.from_dict({"seed": 3, "rules": [
        {"module": "0", "layer_types": ["Linear"], "params": {"weight": {"type": "xavier_uniform"}}},
        {"module": "2", "layer_types": ["Linear"], "params": {"weight": {"type": "constant", "value": 42}}}]}))
    check("xavier on net[0], 42 on net[2]", params.get_parameter(net.id, "2.weight").data.data == [[42] * 8])
    init.init_model(net.id, pc.InitRequest.from_dict({"seed": 4, "rules": [{"layer_types": ["Linear"], "params": {"weight": {
        "type": "custom", "base": {"type": "uniform", "a": -10, "b": 10}, "expr": "w * (abs(w) >= 5)"}}}]}))
    row = params.get_parameter(net.id, "0.weight").data.data[0]
    check("my_init numbers", all(close(a, b) for a, b in zip(row, [0, 0, -8.170863, -5.7999363])))

    # every layer type's arguments read back, defaults filled in (LayerNorm's list, BatchNorm's null momentum)
    norms = models.create_model(pc.ModelSpec.from_dict({"name": "norms", "model": {"type": "Sequential", "layers": [
        {"type": "Flatten"}, {"type": "Linear", "in_features": 12, "out_features": 8},
        {"type": "BatchNorm1d", "num_features": 8, "momentum": None}, {"type": "GELU", "approximate": "tanh"},
        {"type": "LeakyReLU"}, {"type": "Dropout", "p": 0.1}, {"type": "Linear", "in_features": 8, "out_features": 8},
        {"type": "LayerNorm", "normalized_shape": 8}, {"type": "Sigmoid"}, {"type": "Tanh"}, {"type": "Identity"},
        {"type": "Softmax", "dim": -1}]}}))
    layers = models.get_model(norms.id).spec.model.to_dict()["layers"]
    check("spec read back: LayerNorm [8], BatchNorm1d momentum null",
          layers[7]["normalized_shape"] == [8] and layers[2]["momentum"] is None and layers[0]["start_dim"] == 1)
    sd = state.get_state_dict(norms.id)
    check("BatchNorm1d buffers, num_batches_tracked int64", sd["2.num_batches_tracked"].dtype == "int64"
          and sd["2.num_batches_tracked"].shape == [] and list(sd)[:6] == ["1.weight", "1.bias", "2.weight", "2.bias",
                                                                         "2.running_mean", "2.running_var"])
    out = tensor_output(compute.forward(norms.id, pc.ForwardRequest(input=pc.TensorInput([[[0.1] * 4] * 3, [[0.2] * 4] * 3]))).output)
    check("forward through every layer type", out.shape == [2, 8])

    # a random seed is exact in a double; eval mode; errors as problems; delete
    unseeded = models.create_model(pc.ModelSpec.from_dict(NET))
    check("random seed below 2^53", 0 <= unseeded.seed < 2 ** 53 and unseeded.spec.seed is None)
    check("eval", models.patch_model(net.id, pc.ModelPatch(training=False)).training is False)
    try:
        compute.forward(net.id, pc.ForwardRequest(input=pc.TensorInput([[1, 2, 3]])))
        check("shape mismatch answers 422", False)
    except ApiException as e:
        check("shape mismatch answers 422 problem+json", e.status == 422 and "problem+json" in e.headers["Content-Type"]
              and "mat1 and mat2" in e.body)
    models.delete_model(net.id)
    try:
        models.get_model(net.id)
        check("deleted model answers 404", False)
    except ApiException as e:
        check("deleted model answers 404", e.status == 404)
    print("%d passed, 0 failed" % checks)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8080")
