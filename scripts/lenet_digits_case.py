"""Writes the train case train_lenet_digits_0.json: a LeNet-style CNN trained by a job on scikit-learn's digits as
1x8x8 images (the first 100, pixels / 16), as PyTorch 1.13 computes it.

    /usr/bin/python3 scripts/lenet_digits_case.py src/test/resources/conformance
(needs Debian's python3-torch and python3-sklearn; reuses the conformance generator's train_case)."""
import json
import os
import sys

import torch
from sklearn.datasets import load_digits

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "conformance", "scripts"))
from generate_more_cases import train_case  # noqa: E402

digits = load_digits()
X = torch.tensor(digits.images[:100] / 16.0, dtype=torch.float32).reshape(100, 1, 8, 8)
y = torch.tensor(digits.target[:100], dtype=torch.int64)
create = {"seed": 5, "model": {"type": "Sequential", "layers": [
    {"type": "Conv2d", "in_channels": 1, "out_channels": 6, "kernel_size": [3, 3], "stride": [1, 1], "padding": [1, 1],
     "dilation": [1, 1], "groups": 1, "bias": True, "padding_mode": "zeros"},
    {"type": "ReLU"},
    {"type": "AvgPool2d", "kernel_size": 2, "stride": 2, "padding": 0},
    {"type": "Conv2d", "in_channels": 6, "out_channels": 16, "kernel_size": [3, 3], "stride": [1, 1], "padding": [0, 0],
     "dilation": [1, 1], "groups": 1, "bias": True, "padding_mode": "zeros"},
    {"type": "Sigmoid"},
    {"type": "Flatten"},
    {"type": "Linear", "in_features": 64, "out_features": 10}]}}
case = train_case("train_lenet_digits_0", "LeNet-style CNN on the first 100 digits as 1x8x8 images, SGD with momentum, shuffled",
                  create, {"type": "SGD", "lr": 0.1, "momentum": 0.9}, X, y,
                  {"loss": "cross_entropy", "epochs": 3, "batch_size": 25, "shuffle": True, "seed": 11}, 5)
with open(os.path.join(sys.argv[1], "train_lenet_digits_0.json"), "w") as f:
    json.dump(case, f)
print(case["expect"]["epoch_loss"])
