"""Writes the training-mode Dropout cases (dropout_*.json, numeric kind): each
model is created with a seed, so its generator after the seeded draws of
its parameters is PyTorch's global generator after torch.manual_seed(seed)
and the same constructors; every forward and backward then draws its masks
from it, in training mode. Sizes 1 to 10000 elements, several p and seeds.
Run with /usr/bin/python3 (Debian's python3-torch 1.13):

usage: generate_dropout_cases.py OUT_DIR
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_cases as g  # noqa: E402
import torch_reference as ref  # noqa: E402


def case(case_id, description, layers, seed, steps):
    create = {"seed": seed, "model": {"type": "Sequential", "layers": layers}}
    return g.numeric_case(case_id, description, create, steps, mode="train", seed=seed)


def forward(*shape, seed):
    return {"op": "forward", "input": g.T(g.randn(*shape, seed=seed))}


def cases():
    out = []
    # one Dropout alone: the mask of inputs of 1 to 10000 elements, in one generator's sequence
    for p, seed, largest in [(0.5, 0, 10000), (0.1, 1, 1000), (0.45, 2, 1000), (0.9, 3, 1000), (1 / 3, 12345, 10000)]:
        name = str(round(p, 4)).replace(".", "")
        steps = [forward(1, seed=10), forward(7, seed=11), forward(4, 25, seed=12), forward(10, 100, seed=13)]
        if largest == 10000:
            steps.append(forward(100, 100, seed=14))
        out.append(case(f"dropout_alone_p{name}_seed{seed}", f"Dropout(p={p}) alone in training mode: inputs of 1, 7, 100, 1000"
                        f"{' and 10000' if largest == 10000 else ''} elements, each forward drawing the next mask from the"
                        f" model's generator (seed {seed})", [{"type": "Dropout", "p": p}], seed, steps))
    # p = 0 draws nothing: the Dropout(0.5) behind it sees the generator as if it were not there
    out.append(case("dropout_zero_then_half", "Dropout(p=0.0) then Dropout(p=0.5), training mode: p=0 draws nothing",
                    [{"type": "Dropout", "p": 0.0}, {"type": "Dropout", "p": 0.5}], 5,
                    [forward(3, 8, seed=20), forward(3, 8, seed=21)]))
    # in a network, forward and backward: the gradient flows through the same mask
    mlp = [g.lin(6, 16), g.act("ReLU"), {"type": "Dropout", "p": 0.25}, g.lin(16, 16), g.act("Tanh"),
           {"type": "Dropout", "p": 0.15}, g.lin(16, 3)]
    x = g.randn(5, 6, seed=30)
    y = g.randn(5, 3, seed=31)
    out.append(case("dropout_mlp_forward_backward", "an MLP with two Dropouts in training mode: forward, backward (mse),"
                    " zero_grad, backward again, each drawing new masks",
                    mlp, 7,
                    [{"op": "forward", "input": g.T(x)},
                     {"op": "backward", "input": g.T(x), "target": g.T(y), "loss": "mse"},
                     {"op": "zero_grad"},
                     {"op": "backward", "input": g.T(x), "target": g.T(y), "loss": "mse"}]))
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    written = cases()
    for c in written:
        with open(os.path.join(outdir, c["id"] + ".json"), "w") as f:
            f.write(ref.dumps(c) + "\n")
    print(f"{len(written)} cases written to {outdir}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
