#!/usr/bin/python3
"""The PyTorch side of bench/seq.sh, one measurement per process (so that runs interleave with
paramlab's SeqBench), timed as CnnBench/pytorch_cnn.py time (warm-up a third of the time, then rounds
of at least 1/7 of it: best and median round, and the median round's CPU time of this thread).

    pytorch_seq.py time lstm_lm SECONDS [--threads N]       the models of SeqBench, training mode
    pytorch_seq.py time transformer SECONDS [--threads N]
    pytorch_seq.py job --url URL [--runs R] [--threads N]   the character-level LSTM trained by a paramlab
                                                            job over HTTP and by PyTorch's own loop, on
                                                            Debian's GPL-3 text: tokens per second of each
                                                            (one run of each side in turn, R times; best run)
Prints one JSON line.
"""
import argparse
import datetime
import json
import time
import urllib.request

import torch
import torch.nn.functional as F
from torch import nn

import pytorch_cnn

VOCAB = 64


class LSTMLM(nn.Module):
    def __init__(self, vocab, embed, hidden, layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, idx):
        return self.head(self.rnn(self.embed(idx))[0]).permute(0, 2, 1)


def tokens(batch, steps):
    g = torch.Generator().manual_seed(7)
    row = torch.randint(0, VOCAB, (batch, steps + 1), generator=g)
    return row[:, :-1].contiguous(), row[:, 1:].contiguous()


def time_model(model, seconds):
    torch.manual_seed(0)
    if model == "lstm_lm":
        net = LSTMLM(VOCAB, 256, 256, 2).train()
        x, y = tokens(32, 64)
        shape = "32x64"

        def loss():
            return F.cross_entropy(net(x), y)
    elif model == "transformer":
        layer = nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.1, batch_first=True)
        net = nn.TransformerEncoder(layer, 4, enable_nested_tensor=False).train()
        x = torch.randn(16, 128, 256, generator=torch.Generator().manual_seed(7))
        shape = "16x128"

        def loss():
            return net(x).pow(2).mean()
    else:
        raise SystemExit(f"unknown model {model}")

    def forward():
        with torch.no_grad():
            loss()

    fwd = pytorch_cnn.per_call_ms(forward, seconds)
    fb = pytorch_cnn.per_call_ms(lambda: loss().backward(), seconds)
    return {"side": "pytorch", "model": model, "shape": shape, "threads": torch.get_num_threads(),
            "forward_ms": fwd[0], "forward_median_ms": fwd[1], "forward_backward_ms": fb[0],
            "forward_backward_median_ms": fb[1], "forward_cpu_ms": fwd[2], "forward_backward_cpu_ms": fb[2]}


# The character-level job: the first 16 KiB of Debian's GPL-3 by characters, sequences of 64, batch 32,
# Embedding(V, 64) -> LSTM(64, 256) -> Linear(256, V), Adam(lr=0.002), cross_entropy, 2 epochs, shuffled.
TEXT, T, BATCH, EPOCHS, EMBED, HIDDEN = "/usr/share/common-licenses/GPL-3", 64, 32, 2, 64, 256


def corpus():
    text = open(TEXT, encoding="utf-8").read()[:16384]
    vocab = sorted(set(text))
    ids = [vocab.index(c) for c in text]
    n = (len(ids) - 1) // T
    X = torch.tensor([ids[i * T:(i + 1) * T] for i in range(n)])
    Y = torch.tensor([ids[i * T + 1:(i + 1) * T + 1] for i in range(n)])
    return vocab, X, Y


def spec(v):
    return {"name": "char-lm-bench", "seed": 0, "model": {
        "type": "Module", "class_name": "LSTMLM",
        "modules": [{"name": "embed", "type": "Embedding", "num_embeddings": v, "embedding_dim": EMBED},
                    {"name": "rnn", "type": "LSTM", "input_size": EMBED, "hidden_size": HIDDEN, "batch_first": True},
                    {"name": "head", "type": "Linear", "in_features": HIDDEN, "out_features": v}],
        "graph": [{"name": "idx", "op": "placeholder"},
                  {"name": "embed", "op": "call_module", "target": "embed", "args": [{"node": "idx"}]},
                  {"name": "rnn", "op": "call_module", "target": "rnn", "args": [{"node": "embed"}]},
                  {"name": "out", "op": "call_function", "target": "operator.getitem", "args": [{"node": "rnn"}, 0]},
                  {"name": "head", "op": "call_module", "target": "head", "args": [{"node": "out"}]},
                  {"name": "logits", "op": "call_method", "target": "permute", "args": [{"node": "head"}, 0, 2, 1]},
                  {"name": "output", "op": "output", "args": [{"node": "logits"}]}]}}


def call(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def job(url, runs, epochs=EPOCHS):
    """PyTorch's loop and the job, one run of each in turn (the machine's speed drifts: both sides share it)."""
    vocab, X, Y = corpus()
    tokens_per_run = epochs * X.numel()
    api = url.rstrip("/") + "/api/v1"
    data = {"input": {"shape": list(X.shape), "dtype": "int64", "data": X.tolist()},
            "target": {"shape": list(Y.shape), "dtype": "int64", "data": Y.tolist()}}
    torch_seconds, torch_losses, job_seconds, job_losses = [], None, [], None
    for _ in range(runs):
        torch.manual_seed(0)
        net = LSTMLM(len(vocab), EMBED, HIDDEN, 1).train()
        opt = torch.optim.Adam(net.parameters(), lr=0.002)
        g = torch.Generator().manual_seed(0)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=BATCH, shuffle=True, generator=g)
        losses = []
        start = time.perf_counter()
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                loss = F.cross_entropy(net(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        torch_seconds.append(time.perf_counter() - start)
        torch_losses = losses
        model = call(api + "/models", "POST", spec(len(vocab)))["id"]
        call(f"{api}/models/{model}/state-dict", "PUT", {k: {"shape": list(t.shape), "dtype": "float32", "data": t.tolist()}
                                                        for k, t in net_initial(len(vocab)).items()})
        call(f"{api}/models/{model}/optimizer", "PUT", {"type": "Adam", "lr": 0.002})
        j = call(f"{api}/models/{model}/jobs", "POST", {"data": data, "loss": "cross_entropy", "epochs": epochs,
                                                         "batch_size": BATCH, "shuffle": True, "seed": 0})["id"]
        while (view := call(f"{api}/jobs/{j}"))["status"] in ("queued", "running"):
            time.sleep(0.2)
        if view["status"] != "succeeded":
            raise SystemExit(f"job {j}: {view}")
        job_seconds.append((parse_time(view["finished_at"]) - parse_time(view["started_at"])).total_seconds())
        job_losses = call(f"{api}/jobs/{j}/history")["step_loss"]
        call(f"{api}/models/{model}", "DELETE")
        time.sleep(2)   # the service idle again (its checkpoint of the write-ahead log, the sweep) before PyTorch's next run
    diff = max(abs(a - b) / abs(b) for a, b in zip(job_losses, torch_losses))
    return {"job": "char_lstm", "text": TEXT, "chars": X.numel() + 1, "vocab": len(vocab), "steps": len(torch_losses),
            "tokens_per_run": tokens_per_run, "threads": torch.get_num_threads(),
            "pytorch_seconds": torch_seconds, "paramlab_job_seconds": job_seconds,
            "pytorch_tokens_per_s": tokens_per_run / min(torch_seconds),
            "paramlab_tokens_per_s": tokens_per_run / min(job_seconds),
            "max_rel_step_loss_diff": diff, "final_loss_pytorch": torch_losses[-1], "final_loss_paramlab": job_losses[-1]}


def net_initial(v):
    torch.manual_seed(0)
    return LSTMLM(v, EMBED, HIDDEN, 1).state_dict()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what")
    p.add_argument("args", nargs="*")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    p.add_argument("--url", default="http://localhost:18080")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--epochs", type=int, default=EPOCHS, help="the job's epochs (8 steps each; default 2: 16 steps)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.what == "time":
        print(json.dumps(time_model(a.args[0], float(a.args[1]))))
    elif a.what == "job":
        print(json.dumps(job(a.url, a.runs, a.epochs)))
    else:
        raise SystemExit(f"unknown measurement {a.what}")


if __name__ == "__main__":
    main()
