#!/usr/bin/python3
"""The PyTorch side of bench/cnn.sh, one measurement per process (so that runs interleave with
paramlab's CnnBench): torchvision's resnet18 / mobilenet_v2 and D2L's LeNet in training mode,
cross_entropy against the same fixed labels, gradients accumulating; timed as CnnBench times
(warm-up a third of the time, then rounds of at least 1/7 of it: best and median round; and the
median round's CPU time of this thread, which with one thread is the work's cost on a busy machine).

    pytorch_cnn.py time MODEL BATCH SIZE SECONDS [--threads N]
    pytorch_cnn.py sgemm N SECONDS [--threads N]
    pytorch_cnn.py memory MODEL BATCH SIZE       max RSS growth (getrusage) over one forward+backward
    pytorch_cnn.py flops MODEL BATCH SIZE        conv + linear FLOPs of one forward (2 per multiply-add)
Prints one JSON line.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn.functional as F
import torchvision
from torch import nn


def build(model):
    torch.manual_seed(0)
    if model == "resnet18":
        net = torchvision.models.resnet18()
    elif model == "mobilenet_v2":
        net = torchvision.models.mobilenet_v2()
    elif model == "d2l_lenet":
        net = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
                            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                            nn.Linear(84, 10))
    else:
        raise SystemExit(f"unknown model {model}")
    return net.train()


def inputs(model, batch, size, classes):
    g = torch.Generator().manual_seed(7)
    x = torch.randn(batch, 1 if model == "d2l_lenet" else 3, size, size, generator=g)
    y = torch.tensor([(i * 37) % classes for i in range(batch)])
    return x, y


def per_call_ms(fn, seconds):
    warm_end = time.perf_counter() + seconds / 3
    i = 0
    while i < 3 or time.perf_counter() < warm_end:
        fn()
        i += 1
    end = time.perf_counter() + seconds * 2 / 3
    rounds, cpu_rounds = [], []
    while len(rounds) < 2 or time.perf_counter() < end:
        n, start, cpu_start = 0, time.perf_counter(), time.thread_time()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 7:
                break
        rounds.append(elapsed * 1e3 / n)
        cpu_rounds.append((time.thread_time() - cpu_start) * 1e3 / n)
    rounds.sort()
    cpu_rounds.sort()
    return rounds[0], rounds[len(rounds) // 2], cpu_rounds[len(cpu_rounds) // 2]


def flops(net, x):
    total = [0]

    def hook(module, args, out):
        if isinstance(module, nn.Conv2d):
            k = module.weight[0].numel()                     # in_channels / groups * kh * kw
            total[0] += 2 * out.numel() * k
        elif isinstance(module, nn.Linear):
            total[0] += 2 * out.numel() * module.in_features
    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        net(x)
    for h in handles:
        h.remove()
    return total[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what")
    p.add_argument("args", nargs="*")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    threads = torch.get_num_threads()
    if a.what == "sgemm":
        n, seconds = int(a.args[0]), float(a.args[1])
        g = torch.Generator().manual_seed(1)
        A, B = torch.rand(n, n, generator=g), torch.rand(n, n, generator=g)
        C = torch.empty(n, n)
        best, median, cpu = per_call_ms(lambda: torch.mm(A, B, out=C), seconds)
        out = {"side": "pytorch", "sgemm": n, "threads": threads, "gflops": 2 * n ** 3 / best / 1e6,
               "gflops_median": 2 * n ** 3 / median / 1e6, "gflops_cpu": 2 * n ** 3 / cpu / 1e6}
        print(json.dumps(out))
        return
    model, batch, size = a.args[0], int(a.args[1]), int(a.args[2])
    net = build(model)
    classes = 10 if model == "d2l_lenet" else 1000
    x, y = inputs(model, batch, size, classes)
    if a.what == "flops":
        print(json.dumps({"model": model, "batch": batch, "size": size, "forward_flops": flops(net, x)}))
    elif a.what == "memory":
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        F.cross_entropy(net(x), y).backward()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"side": "pytorch", "model": model, "batch": batch, "size": size, "threads": threads,
                          "rest_mb": before * 1024 / 1e6, "peak_growth_mb": (after - before) * 1024 / 1e6}))
    elif a.what == "time":
        seconds = float(a.args[3])

        def forward():
            with torch.no_grad():
                net(x)

        def forward_backward():
            F.cross_entropy(net(x), y).backward()
        fwd = per_call_ms(forward, seconds)
        fb = per_call_ms(forward_backward, seconds)
        print(json.dumps({"side": "pytorch", "model": model, "batch": batch, "size": size, "threads": threads,
                          "forward_ms": fwd[0], "forward_median_ms": fwd[1],
                          "forward_backward_ms": fb[0], "forward_backward_median_ms": fb[1],
                          "forward_cpu_ms": fwd[2], "forward_backward_cpu_ms": fb[2]}))
    else:
        raise SystemExit(f"unknown measurement {a.what}")


if __name__ == "__main__":
    main()
