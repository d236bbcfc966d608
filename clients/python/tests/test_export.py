"""paramlab.export and paramlab.build without a service: every zoo source model exported, rebuilt
and compared with the original (repr, state-dict keys, outputs in both modes); the training
marker; shared modules and tied parameters; the errors that name what the contract lacks."""
import json

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import paramlab
from paramlab import ExportError, build, export

import zoo_models as zm


def _first(out):
    return out[0] if isinstance(out, tuple) else out


CASES = {
    "lenet": (zm.lenet, lambda: torch.randn(2, 1, 28, 28), ()),
    "resnet_nested": (zm.SmallResNet, lambda: torch.randn(2, 3, 16, 16), (zm.Residual,)),
    "textcnn": (zm.TextCNN, lambda: torch.randint(0, 64, (2, 10)), ()),
    "tiny_gpt": (zm.TinyGPT, lambda: torch.randint(0, 64, (2, 8)), ()),
    "lstm_lm_tied": (zm.LSTMLM, lambda: torch.randint(0, 48, (2, 7)), ()),
    "vit_tiny": (zm.ViTTiny, lambda: torch.randn(2, 3, 32, 32), ()),
    "groupnorm": (zm.GNNet, lambda: torch.randn(2, 3, 32, 32), (zm.GNBlock,)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_then_build_computes_what_the_module_computes(case):
    make, inp, nested = CASES[case]
    torch.manual_seed(0)
    m = make()
    spec = export(m, nested=nested)
    json.dumps(spec)  # plain JSON
    b = build(spec)
    b.load_state_dict(m.state_dict())
    assert repr(b) == repr(m)
    assert list(b.state_dict()) == list(m.state_dict())
    assert [n for n, _ in b.named_parameters()] == [n for n, _ in m.named_parameters()]
    x = inp()
    for mode in (True, False):
        m.train(mode)
        b.train(mode)
        torch.manual_seed(1)
        want = _first(m(x))
        torch.manual_seed(1)
        got = _first(b(x))
        assert torch.equal(want, got), f"{case} training={mode}"


def test_torchvision_resnet18_exports_to_one_graph_and_builds_a_graph_module():
    torchvision = pytest.importorskip("torchvision")
    m = torchvision.models.resnet18()
    spec = export(m)
    model = spec["model"]
    assert model["type"] == "Module" and model["class_name"] == "ResNet"
    assert any(n["op"] == "call_module" and n["target"] == "layer1.0.conv1" for n in model["graph"])
    block = model["modules"][4]["layers"][0]
    assert block["class_name"] == "BasicBlock" and "graph" not in block
    b = build(spec)
    assert isinstance(b, torch.fx.GraphModule)
    assert str(b) == repr(m)  # printed as PyTorch prints it, not with the generated code
    b.load_state_dict(m.state_dict())
    m.eval()
    b.eval()
    x = torch.randn(1, 3, 64, 64)
    assert torch.equal(m(x), b(x))


def test_a_forward_that_reads_self_training_is_marked_and_follows_the_mode():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return F.dropout(self.fc(x), 0.5, self.training)

    spec = export(Net())
    drop = [n for n in spec["model"]["graph"] if n.get("target") == "torch.nn.functional.dropout"][0]
    assert {"training": True} in drop["args"] + list(drop.get("kwargs", {}).values())
    b = build(spec)
    x = torch.ones(3, 4)
    b.eval()
    assert torch.equal(b(x), b.fc(x))
    b.train()
    assert (b(x) == 0).any()


def test_a_forward_that_branches_on_the_mode_is_refused_naming_the_module():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(x) if self.training else self.fc(x).relu()

    with pytest.raises(ExportError, match="training and eval"):
        export(Net())


def test_shared_modules_become_refs_and_tied_parameters_ties():
    shared = nn.Linear(8, 8)
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
    spec = export(seq)
    assert spec["shared"] == {"2": {"type": "Linear", "in_features": 8, "out_features": 8}}
    assert spec["model"]["layers"][2] == {"ref": "2"} and spec["model"]["layers"][4] == {"ref": "2"}
    b = build(spec)
    assert b[2] is b[4]

    lm = zm.LSTMLM()
    spec = export(lm)
    assert spec["tied_parameters"] == [{"param": "decoder.weight", "to": "encoder.weight"}]
    b = build(spec)
    assert b.decoder.weight is b.encoder.weight


def test_nested_blocks_keep_their_names_and_lazy_layers_stay_lazy():
    net = nn.Sequential()
    net.add_module("block 0", nn.Sequential(nn.Linear(4, 8), nn.ReLU()))
    net.add_module("tail", nn.LazyLinear(3))
    spec = export(net)
    assert spec["model"]["layers"][0]["name"] == "block 0"
    assert spec["model"]["layers"][1] == {"name": "tail", "type": "LazyLinear", "out_features": 3}
    assert "LazyLinear" in repr(build(spec))


def test_defaults_are_left_out_and_set_arguments_kept():
    spec = export(nn.Sequential(nn.ReLU(inplace=True), nn.Softplus(beta=2), nn.Dropout(0.1), nn.Linear(2, 3)))
    assert spec["model"]["layers"] == [{"type": "ReLU", "inplace": True}, {"type": "Softplus", "beta": 2},
                                       {"type": "Dropout", "p": 0.1},
                                       {"type": "Linear", "in_features": 2, "out_features": 3}]
    assert export(nn.Dropout(0.5), zero_dropout=True)["model"] == {"type": "Dropout", "p": 0.0}


@pytest.mark.parametrize("module, message", [
    (nn.Conv3d(1, 1, 1), "Conv3d is outside the contract"),
    (nn.Sequential(nn.Linear(2, 2), nn.PReLU()), "1: layer type PReLU is outside the contract"),
    (nn.Embedding(4, 2, max_norm=1.0), "max_norm"),
    (nn.MaxPool2d(2, return_indices=True), "return_indices"),
])
def test_layers_outside_the_contract_are_named(module, message):
    with pytest.raises(ExportError, match=message):
        export(module)


def test_functions_methods_and_made_tensors_outside_the_contract_are_named():
    class Cos(nn.Module):
        def forward(self, x):
            return torch.cos(x)

    class Clamp(nn.Module):
        def forward(self, x):
            return x.clamp(0, 1)

    class Arange(nn.Module):
        def forward(self, x):
            return x + torch.arange(3)

    with pytest.raises(ExportError, match="graph node cos: function torch.cos is outside the contract"):
        export(Cos())
    with pytest.raises(ExportError, match="method Tensor.clamp is outside the contract"):
        export(Clamp())
    with pytest.raises(ExportError, match="arange"):
        export(Arange())
    with pytest.raises(TypeError):
        export("not a module")


def test_frozen_parameters_are_refused():
    lin = nn.Linear(2, 2)
    lin.weight.requires_grad_(False)
    with pytest.raises(ExportError, match="requires_grad=False"):
        export(lin)


def test_version_is_the_services():
    assert paramlab.__version__ == "0.1.0"
