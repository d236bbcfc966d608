"""Writes sequence_cases.json: small sequence layers built by PyTorch 1.13 after torch.manual_seed(seed), as the spec
builds them from the same seed, with their state dict, a train-mode forward on fixed inputs, and the gradients of
L = sum_k sum(out_k * w_k) (out_k the tensors of the output, depth first; w_k = cos(0.37 i + k)).

Run: /usr/bin/python3 make_sequence_cases.py > sequence_cases.json   (Debian's python3-torch 1.13)
"""
import json
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)


def grid(shape, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g) * 16).round() / 16


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensors(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if out is None:
        return []
    return [t for o in out for t in tensors(o)]


def arg_json(v):
    if isinstance(v, torch.Tensor):
        dtype = {torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}[v.dtype]
        data = v.reshape(-1).tolist()
        if dtype == "float32":   # non-finite values travel as strings, as the API writes them
            data = [x if math.isfinite(x) else ("NaN" if x != x else "-Infinity" if x < 0 else "Infinity") for x in data]
        return {"shape": list(v.shape), "dtype": dtype, "data": data}
    if isinstance(v, tuple):
        return {"tuple": [arg_json(x) for x in v]}
    return v


def case(name, spec, seed, make, args, kwargs=None, ties=None):
    kwargs = kwargs or {}
    torch.manual_seed(seed)
    m = make()
    if ties:
        ties(m)
    m.train()
    out = m(*args, **kwargs)
    outs = tensors(out)
    loss = sum((o * torch.cos(0.37 * torch.arange(o.numel(), dtype=torch.float32) + k).reshape(o.shape)).sum()
               for k, o in enumerate(outs))
    loss.backward()
    return {
        "name": name,
        "create": dict({"name": name, "seed": seed, "model": spec}, **({"tied_parameters": ties.spec} if ties else {})),
        "repr": repr(m),
        "named_parameters": [n for n, _ in m.named_parameters()],
        "state_dict": {k: flat(v.float()) for k, v in m.state_dict().items()},
        "args": [arg_json(a) for a in args],
        "kwargs": {k: arg_json(v) for k, v in kwargs.items()},
        "outputs": [{"shape": list(o.shape), "data": flat(o)} for o in outs],
        "loss": float(loss),
        "grads": {n: flat(p.grad) if p.grad is not None else None for n, p in m.named_parameters()},
    }


cases = []
x = grid((4, 2, 5), 1)
cases.append(case("lstm_proj_bidirectional_batch_first_hx",
                  {"type": "LSTM", "input_size": 5, "hidden_size": 6, "num_layers": 2, "batch_first": True,
                   "bidirectional": True, "proj_size": 3}, 11,
                  lambda: nn.LSTM(5, 6, num_layers=2, batch_first=True, bidirectional=True, proj_size=3),
                  [grid((2, 4, 5), 2), (grid((4, 2, 3), 3), grid((4, 2, 6), 4))]))
cases.append(case("rnn_tanh_no_bias_unbatched_hx",
                  {"type": "RNN", "input_size": 5, "hidden_size": 4, "bias": False}, 12,
                  lambda: nn.RNN(5, 4, bias=False), [grid((3, 5), 5), grid((1, 4), 6)]))
cases.append(case("gru_hx", {"type": "GRU", "input_size": 5, "hidden_size": 4}, 13,
                  lambda: nn.GRU(5, 4), [x, grid((1, 2, 4), 7)]))
cases.append(case("rnn_cell_relu", {"type": "RNNCell", "input_size": 5, "hidden_size": 4, "nonlinearity": "relu"}, 14,
                  lambda: nn.RNNCell(5, 4, nonlinearity="relu"), [grid((2, 5), 8), grid((2, 4), 9)]))
cases.append(case("lstm_cell", {"type": "LSTMCell", "input_size": 5, "hidden_size": 4}, 15,
                  lambda: nn.LSTMCell(5, 4), [grid((2, 5), 10), (grid((2, 4), 11), grid((2, 4), 12))]))
cases.append(case("gru_cell_unbatched", {"type": "GRUCell", "input_size": 5, "hidden_size": 4}, 16,
                  lambda: nn.GRUCell(5, 4), [grid((5,), 13)]))
mask = torch.zeros(3, 5)
mask[0, 4] = float("-inf")
mask[1, 0] = -1.5
cases.append(case("mha_kdim_vdim_bias_kv_zero_attn_float_mask",
                  {"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 2, "add_bias_kv": True, "add_zero_attn": True,
                   "kdim": 6, "vdim": 7}, 17,
                  lambda: nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True, kdim=6, vdim=7),
                  [grid((3, 2, 8), 14), grid((5, 2, 6), 15), grid((5, 2, 7), 16)],
                  {"attn_mask": mask, "average_attn_weights": False}))
bool_mask = torch.tensor([[False, True, False, False], [False, False, False, True], [True, False, False, False]])
cases.append(case("mha_packed_bool_masks",
                  {"type": "MultiheadAttention", "embed_dim": 8, "num_heads": 4, "batch_first": True}, 18,
                  lambda: nn.MultiheadAttention(8, 4, batch_first=True),
                  [grid((2, 3, 8), 17), grid((2, 4, 8), 18), grid((2, 4, 8), 19)],
                  {"attn_mask": bool_mask, "key_padding_mask": torch.tensor([[False, False, False, True], [False, False, False, False]])}))
cases.append(case("encoder_layer_norm_first_padding",
                  {"type": "TransformerEncoderLayer", "d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0,
                   "norm_first": True}, 19,
                  lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, norm_first=True),
                  [grid((5, 2, 8), 20)],
                  {"src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])}))
cases.append(case("embedding_padding_idx",
                  {"type": "Embedding", "num_embeddings": 7, "embedding_dim": 3, "padding_idx": -2}, 20,
                  lambda: nn.Embedding(7, 3, padding_idx=-2), [torch.tensor([[5, 1, 5], [0, 5, 6]])]))


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(6, 4, padding_idx=0)
        self.head = nn.Linear(4, 6)

    def forward(self, idx):
        return self.head(self.tok(idx))


# Dropout between layers in training mode: PyTorch draws each layer's mask (bernoulli_(1 - p) over the layer's
# (L, N, directions * H) output, in memory order) from the default generator right after that layer, before the next.
cases.append(case("lstm_3_layers_dropout",
                  {"type": "LSTM", "input_size": 5, "hidden_size": 6, "num_layers": 3, "dropout": 0.5}, 22,
                  lambda: nn.LSTM(5, 6, num_layers=3, dropout=0.5), [grid((4, 2, 5), 7)]))
cases.append(case("lstm_3_layers_dropout_bidirectional_batch_first",
                  {"type": "LSTM", "input_size": 5, "hidden_size": 4, "num_layers": 3, "dropout": 0.5,
                   "bidirectional": True, "batch_first": True}, 23,
                  lambda: nn.LSTM(5, 4, num_layers=3, dropout=0.5, bidirectional=True, batch_first=True),
                  [grid((2, 4, 5), 8)]))
cases.append(case("gru_2_layers_dropout",
                  {"type": "GRU", "input_size": 5, "hidden_size": 4, "num_layers": 2, "dropout": 0.3}, 24,
                  lambda: nn.GRU(5, 4, num_layers=2, dropout=0.3), [grid((3, 2, 5), 9)]))


def tie(m):
    m.head.weight = m.tok.weight


tie.spec = [{"param": "head.weight", "to": "tok.weight"}]
cases.append(case("tied_head",
                  {"type": "Module", "class_name": "TiedLM",
                   "modules": [{"name": "tok", "type": "Embedding", "num_embeddings": 6, "embedding_dim": 4, "padding_idx": 0},
                               {"name": "head", "type": "Linear", "in_features": 4, "out_features": 6}],
                   "graph": [{"name": "idx", "op": "placeholder"},
                             {"name": "tok", "op": "call_module", "target": "tok", "args": [{"node": "idx"}]},
                             {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "tok"}]},
                             {"name": "output", "op": "output", "args": [{"node": "head"}]}]}, 21,
                  TiedLM, [torch.tensor([[0, 3, 3, 5], [2, 0, 1, 3]])], ties=tie))
print(json.dumps({"generator": "make_sequence_cases.py, PyTorch " + torch.__version__, "cases": cases}))
