#!/usr/bin/python3
"""The engine benchmark's models in PyTorch, timed the same way (one thread): time per forward
(torch.no_grad()) and per forward + MSE loss + backward (gradients accumulating).
Prints a table, and with --json FILE writes {model: {"forward_us", "forward_backward_us"}}."""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


def models():
    torch.manual_seed(42)
    shared = nn.Linear(8, 8)
    return {
        "NET": (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)), 2, 4, 1),
        "TIED": (nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1)), 2, 4, 1),
        "MLP784": (nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), 64, 784, 10),
        "MLP1024": (nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                                  nn.Linear(1024, 10)), 128, 1024, 10),
    }


def per_call_us(fn, seconds):
    for _ in range(20):
        fn()
    best = float("inf")
    for _ in range(5):                      # five timed rounds, the best one (least disturbed) counts
        n, start = 0, time.perf_counter()
        while True:
            for _ in range(10):
                fn()
            n += 10
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 5:
                break
        best = min(best, elapsed / n * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {}
    for name, (net, batch, n_in, n_out) in models().items():
        x, y = torch.rand(batch, n_in), torch.rand(batch, n_out)

        def forward():
            with torch.no_grad():
                net(x)

        def forward_backward():
            F.mse_loss(net(x), y).backward()

        results[name] = {"forward_us": per_call_us(forward, args.seconds),
                         "forward_backward_us": per_call_us(forward_backward, args.seconds)}
        print(f"{name:8s} forward {results[name]['forward_us']:10.2f} us   "
              f"forward+backward {results[name]['forward_backward_us']:10.2f} us", flush=True)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
