"""Writes char_gpt_job.json: a tiny character-level transformer (token embedding, a learned position parameter, one
pre-norm TransformerEncoderLayer under a causal bool mask buffer, a linear head) trained by PyTorch 1.13's canonical
loop on gpl3_head.txt (the head of Debian's /usr/share/common-licenses/GPL-3), tokenized by characters: the spec, the
initial state dict, the dataset, the job, and PyTorch's step and epoch losses and final state dict.

Run: /usr/bin/python3 make_char_gpt.py > char_gpt_job.json   (Debian's python3-torch 1.13)
"""
import json
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpl3_head.txt"), encoding="utf-8").read()
vocab = sorted(set(text))
ids = torch.tensor([vocab.index(ch) for ch in text], dtype=torch.int64)
T, D = 16, 16
n = (len(ids) - 1) // T
X = ids[: n * T].reshape(n, T)
Y = ids[1: n * T + 1].reshape(n, T)
V = len(vocab)
MASK = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)


class CharGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, T, D).normal_(std=0.02))
        self.register_buffer("mask", MASK.clone(), persistent=False)
        self.tok = nn.Embedding(V, D)
        self.blocks = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(D, 2, 32, 0.0, batch_first=True, norm_first=True), 1)
        self.head = nn.Linear(D, V)

    def forward(self, idx):
        t = idx.size(1)
        x = self.tok(idx) + self.pos[:, :t]
        x = self.blocks(x, mask=self.mask[:t, :t])
        return self.head(x).permute(0, 2, 1)


layer = {"type": "TransformerEncoderLayer", "d_model": D, "nhead": 2, "dim_feedforward": 32, "dropout": 0.0,
         "batch_first": True, "norm_first": True}
sl = lambda stop: {"slice": [None, stop, None]}
spec = {"name": "char-gpt", "seed": 3, "model": {
    "type": "Module", "class_name": "CharGPT",
    "parameters": [{"name": "pos", "shape": [1, T, D], "init": {"type": "normal", "mean": 0.0, "std": 0.02}}],
    "buffers": [{"name": "mask", "shape": [T, T], "dtype": "bool", "data": MASK.tolist(), "persistent": False}],
    "modules": [{"name": "tok", "type": "Embedding", "num_embeddings": V, "embedding_dim": D},
                {"name": "blocks", "type": "TransformerEncoder", "encoder_layer": layer, "num_layers": 1},
                {"name": "head", "type": "Linear", "in_features": D, "out_features": V}],
    "graph": [{"name": "idx", "op": "placeholder"},
              {"name": "size", "op": "call_method", "target": "size", "args": [{"node": "idx"}, 1]},
              {"name": "tok", "op": "call_module", "target": "tok", "args": [{"node": "idx"}]},
              {"name": "pos", "op": "get_attr", "target": "pos"},
              {"name": "pos_t", "op": "call_function", "target": "operator.getitem",
               "args": [{"node": "pos"}, [sl(None), sl({"node": "size"})]]},
              {"name": "add", "op": "call_function", "target": "operator.add", "args": [{"node": "tok"}, {"node": "pos_t"}]},
              {"name": "mask", "op": "get_attr", "target": "mask"},
              {"name": "mask_t", "op": "call_function", "target": "operator.getitem",
               "args": [{"node": "mask"}, [sl({"node": "size"}), sl({"node": "size"})]]},
              {"name": "blocks", "op": "call_module", "target": "blocks", "args": [{"node": "add"}],
               "kwargs": {"mask": {"node": "mask_t"}}},
              {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "blocks"}]},
              {"name": "permute", "op": "call_method", "target": "permute", "args": [{"node": "head"}, 0, 2, 1]},
              {"name": "output", "op": "output", "args": [{"node": "permute"}]}]}}
job = {"loss": "cross_entropy", "epochs": 2, "batch_size": 16, "shuffle": True, "seed": 9, "drop_last": False}

torch.manual_seed(3)
model = CharGPT()


def state(m):
    return {k: {"shape": list(v.shape), "dtype": "float32", "data": v.reshape(-1).tolist()} for k, v in m.state_dict().items()}


initial = state(model)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
g = torch.Generator()
g.manual_seed(job["seed"])
loader = DataLoader(TensorDataset(X, Y), batch_size=job["batch_size"], shuffle=True, generator=g, drop_last=False)
step_loss, epoch_loss = [], []
for epoch in range(job["epochs"]):
    losses = []
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    step_loss += losses
    epoch_loss.append(sum(losses) / len(losses))
print(json.dumps({
    "generator": "make_char_gpt.py, PyTorch " + torch.__version__,
    "vocab": "".join(vocab), "create": spec, "state_dict": initial, "optimizer": {"type": "Adam", "lr": 0.01},
    "job": job,
    "data": {"input": {"shape": list(X.shape), "dtype": "int64", "data": X.reshape(-1).tolist()},
             "target": {"shape": list(Y.shape), "dtype": "int64", "data": Y.reshape(-1).tolist()}},
    "expect": {"step_loss": step_loss, "epoch_loss": epoch_loss, "state_dict": state(model)}}))
