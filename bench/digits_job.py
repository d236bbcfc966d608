#!/usr/bin/python3
"""scikit-learn's handwritten digits trained side by side: a paramlab job and PyTorch 1.13's loop.

64-64-10 MLP with ReLU, SGD(lr=0.1, momentum=0.9), cross_entropy, batch 32, 5 epochs, shuffled by
torch.Generator().manual_seed(SEED). PyTorch's initial state dict is loaded into the service, so both
sides start from the same weights and (same seed, same randperm) see the same batches. Pixels are
scaled by 1/16 (to [0, 1]) on both sides. Prints the largest relative difference of the 285 step
losses, both final accuracies (on the 1,797 images, eval mode), and wall times: the job's
started_at -> finished_at (the best of --runs jobs on a warm JVM) against PyTorch's loop (best of --runs).

    apt-get install -y python3-sklearn      # and a running service: bench/run-digits.sh starts one
    /usr/bin/python3 bench/digits_job.py --url http://localhost:18080

With --model lenet the same job trains a LeNet-style CNN on the digits as 1x8x8 images (the net of
scripts/lenet_digits_case.py: Conv2d 3x3 pad 1, ReLU, AvgPool2d, Conv2d 3x3, Sigmoid, Flatten, Linear).
"""
import argparse
import datetime
import json
import time
import urllib.request

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED, EPOCHS, BATCH = 0, 5, 32
SPEC = {"name": "digits", "model": {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 64, "out_features": 64}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 64, "out_features": 10}]}}
LENET_SPEC = {"name": "digits-lenet", "model": {"type": "Sequential", "layers": [
    {"type": "Conv2d", "in_channels": 1, "out_channels": 6, "kernel_size": 3, "padding": 1}, {"type": "ReLU"},
    {"type": "AvgPool2d", "kernel_size": 2, "stride": 2},
    {"type": "Conv2d", "in_channels": 6, "out_channels": 16, "kernel_size": 3}, {"type": "Sigmoid"},
    {"type": "Flatten"}, {"type": "Linear", "in_features": 64, "out_features": 10}]}}
OPTIMIZER = {"type": "SGD", "lr": 0.1, "momentum": 0.9}


def torch_net(model):
    if model == "lenet":
        return nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 3),
                             nn.Sigmoid(), nn.Flatten(), nn.Linear(64, 10))
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def call(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def tensor(t):
    return {"shape": list(t.shape), "dtype": "int64" if t.dtype == torch.int64 else "float32", "data": t.tolist()}


def pytorch_run(X, y, initial, model):
    torch.manual_seed(0)
    net = torch_net(model)
    net.load_state_dict(initial)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator()
    g.manual_seed(SEED)
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, shuffle=True, generator=g)
    losses = []
    start = time.perf_counter()
    for _ in range(EPOCHS):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    seconds = time.perf_counter() - start
    net.eval()
    with torch.no_grad():
        accuracy = (net(X).argmax(1) == y).float().mean().item()
    return losses, accuracy, seconds


def job_run(base, X, y, initial, dataset, spec):
    model = call(base + "/models", "POST", spec)["id"]
    call(f"{base}/models/{model}/state-dict", "PUT", {k: tensor(v) for k, v in initial.items()})
    call(f"{base}/models/{model}/optimizer", "PUT", OPTIMIZER)
    job = call(f"{base}/models/{model}/jobs", "POST", {"dataset": dataset, "loss": "cross_entropy", "epochs": EPOCHS,
                                                       "batch_size": BATCH, "shuffle": True, "seed": SEED})
    while job["status"] in ("queued", "running"):
        time.sleep(0.01)
        job = call(f"{base}/jobs/{job['id']}")
    assert job["status"] == "succeeded", job
    history = call(f"{base}/jobs/{job['id']}/history")
    call(f"{base}/models/{model}", "PATCH", {"training": False})
    logits = torch.tensor(call(f"{base}/models/{model}/forward", "POST", {"input": tensor(X)})["output"]["data"])
    accuracy = (logits.argmax(1) == y).float().mean().item()
    seconds = (parse(job["finished_at"]) - parse(job["started_at"])).total_seconds()
    call(f"{base}/models/{model}", "DELETE")
    return history["step_loss"], accuracy, seconds


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:18080")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", choices=("mlp", "lenet"), default="mlp")
    args = parser.parse_args()
    base = args.url + "/api/v1"
    torch.set_num_threads(1)
    digits = load_digits()
    X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    if args.model == "lenet":
        X = X.reshape(-1, 1, 8, 8)
    y = torch.tensor(digits.target, dtype=torch.int64)
    torch.manual_seed(SEED)
    initial = {k: v.clone() for k, v in torch_net(args.model).state_dict().items()}

    pt = [pytorch_run(X, y, initial, args.model) for _ in range(args.runs)]
    dataset = call(base + "/datasets", "POST", {"name": "digits", "input": tensor(X), "target": tensor(y)})["id"]
    spec = LENET_SPEC if args.model == "lenet" else SPEC
    jobs = [job_run(base, X, y, initial, dataset, spec) for _ in range(args.runs)]
    call(f"{base}/datasets/{dataset}", "DELETE")

    pt_losses, pt_accuracy, _ = pt[0]
    job_losses, job_accuracy, _ = jobs[-1]
    assert len(pt_losses) == len(job_losses) == 285, (len(pt_losses), len(job_losses))
    rel = max(abs(a - b) / abs(a) for a, b in zip(pt_losses, job_losses))
    print(f"steps: {len(pt_losses)} (57 batches x {EPOCHS} epochs)")
    print("step      " + "  ".join(f"{i:>8d}" for i in (0, 56, 113, 170, 227, 284)))
    print("pytorch   " + "  ".join(f"{pt_losses[i]:8.5f}" for i in (0, 56, 113, 170, 227, 284)))
    print("paramlab  " + "  ".join(f"{job_losses[i]:8.5f}" for i in (0, 56, 113, 170, 227, 284)))
    print(f"max relative difference of the step losses: {rel:.2e}")
    print(f"accuracy (1,797 images, eval): pytorch {pt_accuracy:.4f}, paramlab {job_accuracy:.4f}")
    print("wall time, ms (each run):")
    print("  pytorch loop           " + " ".join(f"{s * 1e3:6.1f}" for _, _, s in pt))
    print("  paramlab job (started_at -> finished_at) " + " ".join(f"{s * 1e3:6.1f}" for _, _, s in jobs))
    print(f"best: pytorch {min(s for _, _, s in pt) * 1e3:.1f} ms, paramlab {min(s for _, _, s in jobs) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
