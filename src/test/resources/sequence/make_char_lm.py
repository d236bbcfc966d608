"""Writes char_lm_job.json: a character-level LSTM language model trained by PyTorch 1.13's canonical loop on the
first 1040 bytes of Debian's /usr/share/common-licenses/GPL-3 (copied beside this script as gpl3_head.txt, so the
test does not depend on the machine), tokenized by characters: the spec, the initial state dict, the dataset, the job
and PyTorch's step and epoch losses and final state dict.

Run: /usr/bin/python3 make_char_lm.py > char_lm_job.json   (Debian's python3-torch 1.13)
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpl3_head.txt"), encoding="utf-8").read()
vocab = sorted(set(text))
ids = torch.tensor([vocab.index(ch) for ch in text], dtype=torch.int64)
T = 16
n = (len(ids) - 1) // T
X = ids[: n * T].reshape(n, T)
Y = ids[1: n * T + 1].reshape(n, T)
V = len(vocab)


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, 16)
        self.rnn = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, V)

    def forward(self, idx):
        return self.head(self.rnn(self.embed(idx))[0]).permute(0, 2, 1)


spec = {"name": "char-lm", "seed": 7, "model": {
    "type": "Module", "class_name": "CharLM",
    "modules": [{"name": "embed", "type": "Embedding", "num_embeddings": V, "embedding_dim": 16},
                {"name": "rnn", "type": "LSTM", "input_size": 16, "hidden_size": 32, "batch_first": True},
                {"name": "head", "type": "Linear", "in_features": 32, "out_features": V}],
    "graph": [{"name": "idx", "op": "placeholder"},
              {"name": "embed", "op": "call_module", "target": "embed", "args": [{"node": "idx"}]},
              {"name": "rnn", "op": "call_module", "target": "rnn", "args": [{"node": "embed"}]},
              {"name": "getitem", "op": "call_function", "target": "operator.getitem", "args": [{"node": "rnn"}, 0]},
              {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "getitem"}]},
              {"name": "permute", "op": "call_method", "target": "permute", "args": [{"node": "head"}, 0, 2, 1]},
              {"name": "output", "op": "output", "args": [{"node": "permute"}]}]}}
job = {"loss": "cross_entropy", "epochs": 3, "batch_size": 16, "shuffle": True, "seed": 5, "drop_last": False}

torch.manual_seed(7)
model = CharLM()


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
    "generator": "make_char_lm.py, PyTorch " + torch.__version__,
    "vocab": "".join(vocab), "create": spec, "state_dict": initial, "optimizer": {"type": "Adam", "lr": 0.01},
    "job": job,
    "data": {"input": {"shape": list(X.shape), "dtype": "int64", "data": X.reshape(-1).tolist()},
             "target": {"shape": list(Y.shape), "dtype": "int64", "data": Y.reshape(-1).tolist()}},
    "expect": {"step_loss": step_loss, "epoch_loss": epoch_loss, "state_dict": state(model)}}))
