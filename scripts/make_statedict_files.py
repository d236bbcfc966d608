"""Makes the stored-state-dict test files in src/test/resources/statedicts/ with PyTorch 1.13 and safetensors.

Run from the repository root with the system PyTorch and a safetensors wheel on PYTHONPATH:
    python3 -m pip download safetensors --no-deps -d /tmp/st && (cd /tmp/st && unzip -oq safetensors-*.whl -d lib)
    PYTHONPATH=/tmp/st/lib /usr/bin/python3 scripts/make_statedict_files.py
Writes the files and expected.json: each tensor's values, float64 statistics (API.md's STATS, bins=10) and the
expected diffs, all computed here in float64.
"""
import json
import math
import os
from collections import OrderedDict

import torch
import torch.nn as nn
from safetensors.torch import save_file, save_model

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "statedicts")
BINS = 10


class Dtypes(nn.Module):
    """Every kept dtype as a buffer: a rank-4 float32 with non-finite values, a rank-3 float64, a 0-d int64, ..."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        f32 = torch.randn(2, 3, 2, 2, generator=g)
        f32[0, 0, 0, 0] = float("nan")
        f32[0, 0, 0, 1] = float("inf")
        f32[0, 0, 1, 0] = float("-inf")
        f32[1, 2, 1, 1] = 0.0
        self.register_buffer("f32", f32)
        self.register_buffer("f64", torch.randn(2, 3, 4, generator=g, dtype=torch.float64))
        self.register_buffer("f16", (torch.randn(3, 5, generator=g) * 100).half())
        self.register_buffer("bf16", (torch.randn(4, 3, generator=g) * 1e-3).bfloat16())
        self.register_buffer("i64", torch.arange(-5, 7).reshape(3, 4))
        self.register_buffer("scalar", torch.tensor(7))
        self.register_buffer("i32", torch.randint(-100000, 100000, (6,), generator=g, dtype=torch.int32))
        self.register_buffer("i8", torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8))
        self.register_buffer("u8", torch.tensor([0, 1, 200, 255], dtype=torch.uint8))
        self.register_buffer("mask", torch.tensor([[True, False, True], [False, False, True]]))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dt = Dtypes()
        self.enc = nn.Linear(4, 3)
        self.dec = nn.Linear(4, 3)
        self.dec.weight = self.enc.weight   # a tie: one storage under two keys


def values(t):
    if t.dtype == torch.bool:
        return t.tolist()
    if t.dtype.is_floating_point:
        def f(x):
            if isinstance(x, list):
                return [f(y) for y in x]
            return "NaN" if math.isnan(x) else "Infinity" if x == math.inf else "-Infinity" if x == -math.inf else x
        return f(t.double().tolist())
    return t.tolist()


def stats(t):
    x = t.double().flatten()
    n = x.numel()
    nan = int(torch.isnan(x).sum())
    inf = int(torch.isinf(x).sum())
    finite = x[torch.isfinite(x)]
    zero = float((x == 0).sum()) / n if n else float("nan")
    out = {"nan_count": nan, "inf_count": inf, "zero_fraction": zero}
    if finite.numel() == 0:
        return out
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts = [0] * BINS
    for v in finite.tolist():
        b = math.floor((v - lo) * BINS / (hi - lo))
        counts[max(0, min(b, BINS - 1))] += 1
    out.update({"mean": float(finite.mean()), "std": float(finite.std()) if finite.numel() > 1 else "NaN",
                "min": float(finite.min()), "max": float(finite.max()), "l2_norm": float(finite.norm()),
                "histogram": {"edges": torch.linspace(lo, hi, BINS + 1, dtype=torch.float64).tolist(), "counts": counts}})
    return out


def diff(a, b):
    rows = []
    for k, ta in a.items():
        if k in b and tuple(ta.shape) == tuple(b[k].shape):
            x, y = ta.double().flatten(), b[k].double().flatten()
            same = (x == y) | (torch.isnan(x) & torch.isnan(y))
            d = (y - x)[~same]
            l2 = float(d.norm()) if d.numel() else 0.0
            base = float(x.norm())
            rows.append({"key": k, "shape": list(ta.shape), "changed_elements": int((~same).sum()),
                         "max_abs_diff": float(d.abs().max()) if d.numel() else 0.0, "l2_diff": l2,
                         "relative_l2": None if base == 0 else l2 / base})
    return {"keys": rows, "only_in_from": [k for k in a if k not in b], "only_in_to": [k for k in b if k not in a],
            "mismatched": [k for k in a if k in b and (tuple(a[k].shape) != tuple(b[k].shape) or a[k].dtype != b[k].dtype)]}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    net = Net()
    sd = net.state_dict()
    save_model(net, os.path.join(OUT, "dtypes.safetensors"))      # the tie once, the other key in __metadata__
    torch.save(sd, os.path.join(OUT, "dtypes.pt"))                  # the tie as one storage

    # views of shared storages: a row of one storage, and a transposed matrix (not contiguous)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = OrderedDict([("whole", base), ("row", base[1]), ("cols", base[:, 2:4]), ("t", base.t()),
                         ("again", base)])
    torch.save(views, os.path.join(OUT, "views.pt"))

    # a view 10^8 times its storage (a stride of 0, as expand() makes): 1 KB that stores as 400 MB of 0.5
    torch.save(OrderedDict([("expanded", torch.full((1,), 0.5).expand(100_000_000)), ("small", torch.arange(3.0))]),
               os.path.join(OUT, "zero_stride_view.pt"))

    # a trained CNN's general checkpoint, as the PyTorch tutorial saves one
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    opt = torch.optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9)
    x, y = torch.randn(5, 1, 6, 6), torch.tensor([0, 1, 2, 1, 0])
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(cnn(x), y).backward()
        opt.step()
    torch.save({"epoch": 2, "model_state_dict": cnn.state_dict(), "optimizer_state_dict": opt.state_dict(), "loss": 0.25},
               os.path.join(OUT, "checkpoint.pt"))

    # a base and a fine-tuned copy: one tensor changed, one reshaped, one dtype changed, one dropped, one added
    g = torch.Generator().manual_seed(1)
    a = OrderedDict([("l1.weight", torch.randn(4, 3, generator=g)), ("l1.bias", torch.randn(4, generator=g)),
                     ("l2.weight", torch.randn(2, 4, generator=g)), ("emb", torch.randn(3, 2, generator=g)),
                     ("old", torch.zeros(3))])
    b = OrderedDict([("l1.weight", a["l1.weight"] + 0.01 * torch.randn(4, 3, generator=g)), ("l1.bias", a["l1.bias"].clone()),
                     ("l2.weight", torch.randn(3, 4, generator=g)), ("emb", a["emb"].to(torch.bfloat16)),
                     ("new", torch.ones(2))])
    save_file(a, os.path.join(OUT, "base.safetensors"))
    save_file(b, os.path.join(OUT, "tuned.safetensors"))

    expected = {
        "dtypes": {k: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values(t),
                       "stats": stats(t)} for k, t in sd.items()},
        "views": {k: values(t) for k, t in views.items()},
        "checkpoint": {k: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values(t)}
                       for k, t in cnn.state_dict().items()},
        "diff": diff(a, b),
        "bins": BINS,
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
