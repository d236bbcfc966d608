"""PyTorch's own writers and readers of the benchmark's 25,171,968-parameter state dict, in memory.

Usage: python3 bench/state_dict_pytorch.py [--repeat 3]. Prints one JSON line per measurement:
{"what", "ms" (best of --repeat), "bytes"}. torch.save/torch.load to and from a BytesIO; and, when the
safetensors package imports, safetensors.torch.save/load (bytes in memory). Missing: says so.
"""
import argparse
import io
import json
import time

import torch
import torch.nn as nn


def best_ms(fn, repeat):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ms = (time.perf_counter() - t) * 1000
        best = ms if best is None else min(best, ms)
    return best, out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    torch.manual_seed(42)
    net = nn.Sequential(nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 2048))
    sd = net.state_dict()
    assert sum(t.numel() for t in sd.values()) == 25_171_968

    def save():
        buf = io.BytesIO()
        torch.save(sd, buf)
        return buf.getvalue()

    ms, data = best_ms(save, a.repeat)
    print(json.dumps({"what": "torch.save to memory", "ms": ms, "bytes": len(data)}))
    ms, _ = best_ms(lambda: torch.load(io.BytesIO(data)), a.repeat)
    print(json.dumps({"what": "torch.load from memory", "ms": ms, "bytes": len(data)}))
    try:
        from safetensors.torch import save, load
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"what": "safetensors", "skipped": str(e)}))
        return
    ms, data = best_ms(lambda: save(sd), a.repeat)
    print(json.dumps({"what": "safetensors.torch.save to memory", "ms": ms, "bytes": len(data)}))
    ms, _ = best_ms(lambda: load(data), a.repeat)
    print(json.dumps({"what": "safetensors.torch.load from memory", "ms": ms, "bytes": len(data)}))


if __name__ == "__main__":
    main()
