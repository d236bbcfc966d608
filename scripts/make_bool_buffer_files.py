"""Makes the persistent-bool-buffer test files in src/test/resources/boolbuf/ with PyTorch 1.13 and safetensors.

Run from the repository root with the system PyTorch and a safetensors wheel on PYTHONPATH:
    python3 -m pip download safetensors --no-deps -d /tmp/st && (cd /tmp/st && unzip -oq safetensors-*.whl -d lib)
    PYTHONPATH=/tmp/st/lib /usr/bin/python3 scripts/make_bool_buffer_files.py
A module with a persistent bool buffer (a causal mask, register_buffer's default persistent=True) and a Linear:
masked.pt is torch.save(model.state_dict()) into a BytesIO (zip archive name "archive"), masked.safetensors is
safetensors.torch.save_model(model); masked_views.pt holds strided views of one bool storage
({"t": mask.t(), "row": mask[1], "cols": mask[:, 1:]}); masked.json is the state dict's values and the spec the service builds it from.
"""
import io
import json
import os

import torch
import torch.nn as nn
from safetensors.torch import save_model

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "boolbuf")


class Masked(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mask", torch.ones(3, 3, dtype=torch.bool).triu(1))   # persistent: in state_dict()
        self.proj = nn.Linear(3, 2)


def main():
    torch.manual_seed(0)
    model = Masked()
    sd = model.state_dict()
    assert list(sd) == ["mask", "proj.weight", "proj.bias"] and sd["mask"].dtype == torch.bool
    os.makedirs(OUT, exist_ok=True)
    buf = io.BytesIO()
    torch.save(sd, buf)
    with open(os.path.join(OUT, "masked.pt"), "wb") as f:
        f.write(buf.getvalue())
    save_model(model, os.path.join(OUT, "masked.safetensors"))
    mask = sd["mask"]
    views = {"t": mask.t(), "row": mask[1], "cols": mask[:, 1:]}
    buf = io.BytesIO()
    torch.save(views, buf)
    with open(os.path.join(OUT, "masked_views.pt"), "wb") as f:
        f.write(buf.getvalue())
    spec = {"type": "Module", "class_name": "Masked",
            "buffers": [{"name": "mask", "shape": [3, 3], "dtype": "bool", "data": sd["mask"].tolist()}],
            "modules": [{"name": "proj", "type": "Linear", "in_features": 3, "out_features": 2}]}
    expected = {"spec": spec, "state_dict": {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                                                 "data": v.tolist()} for k, v in sd.items()},
                "views": {k: v.tolist() for k, v in views.items()}}
    with open(os.path.join(OUT, "masked.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")


if __name__ == "__main__":
    main()
