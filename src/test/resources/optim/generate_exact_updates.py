"""Bit-exact references for OptimizerExactTest: a few optimizer steps of PyTorch 1.13 on fixed
values, no model, so only the optimizer's float rounding is compared.

usage: /usr/bin/python3 generate_exact_updates.py > exact_updates.json
"""
import json

import torch

torch.manual_seed(7)
N = 37  # two AVX2 blocks of 16 and a scalar tail of 5
P0 = torch.randn(N)
G = [torch.randn(N) for _ in range(4)]

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "dampening": 0.3, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.02, "maximize": True}),
    ("AdamW", {"lr": 0.003, "weight_decay": 0.2, "amsgrad": True}),
]

out = {"param": P0.tolist(), "grads": [g.tolist() for g in G], "cases": []}
for typ, opts in CASES:
    p = torch.nn.Parameter(P0.clone())
    kw = dict(opts)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    opt = getattr(torch.optim, typ)([p], **kw)
    after = []
    for g in G:
        p.grad = g.clone()
        opt.step()
        after.append(p.detach().clone().tolist())
    out["cases"].append({"optimizer": dict(opts, type=typ), "after": after})
print(json.dumps(out))
