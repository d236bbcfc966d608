"""Writes init_rules.json: init rules by layer_types on the sequence layers, as PyTorch 1.13 runs them.

A model of an Embedding, a 2-layer LSTM, a GRU, a TransformerEncoderLayer and a Linear head is built after
torch.manual_seed(0); then, after torch.manual_seed(5) (the request's "seed"), each rule is
net[module].apply(fn) where fn(m) initializes, for a module whose class name is in layer_types, each named local
parameter it has, in the rule's order: xavier_uniform_ on every LSTM/GRU weight and zeros_ on their biases,
normal_(std=0.02) on the Embedding, xavier_uniform_ on MultiheadAttention's packed in_proj_weight, kaiming_uniform_
(relu) on every Linear as `isinstance(m, nn.Linear)` finds them (attention's out_proj is a
NonDynamicallyQuantizableLinear), and uniform_(0.5, 1.5) on the encoder layer's LayerNorms.
The state dict after the rules is the expectation.

Run: /usr/bin/python3 make_init_rules.py > init_rules.json   (Debian's python3-torch 1.13)
"""
import json

import torch
import torch.nn as nn

torch.set_num_threads(1)

SPEC = {"name": "init-rules", "seed": 0, "model": {
    "type": "Module", "class_name": "InitNet",
    "modules": [{"name": "embed", "type": "Embedding", "num_embeddings": 10, "embedding_dim": 8},
                {"name": "rnn", "type": "LSTM", "input_size": 8, "hidden_size": 6, "num_layers": 2},
                {"name": "gru", "type": "GRU", "input_size": 6, "hidden_size": 4},
                {"name": "enc", "type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16},
                {"name": "head", "type": "Linear", "in_features": 8, "out_features": 10}],
    "graph": [{"name": "idx", "op": "placeholder"},
              {"name": "embed", "op": "call_module", "target": "embed", "args": [{"node": "idx"}]},
              {"name": "enc", "op": "call_module", "target": "enc", "args": [{"node": "embed"}]},
              {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "enc"}]},
              {"name": "output", "op": "output", "args": [{"node": "head"}]}]}}

XAVIER = {"type": "xavier_uniform"}
ZEROS = {"type": "zeros"}
RECURRENT = {n: XAVIER for n in ["weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"]}
RECURRENT.update({n: ZEROS for n in ["bias_ih_l0", "bias_hh_l0", "bias_ih_l1", "bias_hh_l1"]})
RULES = [
    {"layer_types": ["LSTM", "GRU"], "params": RECURRENT},
    {"layer_types": ["Embedding"], "params": {"weight": {"type": "normal", "std": 0.02}}},
    {"layer_types": ["MultiheadAttention"], "params": {"in_proj_weight": XAVIER}},
    {"layer_types": ["Linear", "NonDynamicallyQuantizableLinear"],
     "params": {"weight": {"type": "kaiming_uniform", "nonlinearity": "relu"}}},
    {"module": "enc", "layer_types": ["LayerNorm"], "params": {"weight": {"type": "uniform", "a": 0.5, "b": 1.5}}},
]


class InitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 8)
        self.rnn = nn.LSTM(8, 6, num_layers=2)
        self.gru = nn.GRU(6, 4)
        self.enc = nn.TransformerEncoderLayer(8, 2, 16)
        self.head = nn.Linear(8, 10)


def policy(p):
    kind = p["type"]
    if kind == "xavier_uniform":
        return nn.init.xavier_uniform_
    if kind == "zeros":
        return nn.init.zeros_
    if kind == "normal":
        return lambda t: nn.init.normal_(t, std=p["std"])
    if kind == "kaiming_uniform":
        return lambda t: nn.init.kaiming_uniform_(t, nonlinearity=p["nonlinearity"])
    if kind == "uniform":
        return lambda t: nn.init.uniform_(t, p["a"], p["b"])
    raise ValueError(kind)


def fn(rule):
    def apply(m):
        if type(m).__name__ not in rule["layer_types"]:
            return
        for name, p in rule["params"].items():
            if m._parameters.get(name) is not None:
                policy(p)(m._parameters[name])
    return apply


torch.manual_seed(0)
net = InitNet()
torch.manual_seed(5)
for rule in RULES:
    (net.get_submodule(rule["module"]) if rule.get("module") else net).apply(fn(rule))
print(json.dumps({"generator": "make_init_rules.py, PyTorch " + torch.__version__, "create": SPEC,
                  "init": {"seed": 5, "rules": RULES},
                  "state_dict": {k: {"shape": list(v.shape), "data": [float(x) for x in v.reshape(-1).tolist()]}
                                 for k, v in net.state_dict().items()}}))
