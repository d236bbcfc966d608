"""Every shared zoo case's source model (src/test/resources/conformance/zoo_*.json, built as
scripts/generate_zoo_cases.py builds it): exported and pushed by the client, then its forward
compared with PyTorch's, its state_dict and to_torch() compared bit for bit. A model the service
cannot create yet is skipped with the service's own 400 reason, so the set grows with the service."""
import glob
import json
import os

import pytest
import torch

import paramlab
from conftest import CONFORMANCE

CASES = sorted(glob.glob(os.path.join(CONFORMANCE, "zoo_*.json")))

try:
    import generate_zoo_cases as gz
    ENTRIES = {e["id"]: e for e in gz.shared_models()}
except ImportError as e:  # torchvision missing
    gz, ENTRIES, WHY = None, {}, str(e)


def _inputs(step):
    if "inputs" in step:
        args = [paramlab.tensors.from_json(x) for x in step["inputs"]]
    else:
        args = [paramlab.tensors.from_json(step["input"])]
    kwargs = {k: paramlab.tensors.from_json(v) for k, v in (step.get("kwargs") or {}).items()}
    return args, kwargs


def _tensors(out):
    if isinstance(out, (tuple, list)):
        return [t for x in out for t in _tensors(x)]
    return [] if out is None else [out]


@pytest.mark.parametrize("path", CASES, ids=lambda p: os.path.basename(p)[:-5])
def test_zoo_source_pushes_and_computes_as_pytorch(client, path):
    case = json.load(open(path))
    if gz is None:
        pytest.skip(f"the zoo sources need torchvision: {WHY}")
    entry = ENTRIES.get(case["id"])
    if entry is None:
        pytest.skip(f"{case['id']}: no source model in generate_zoo_cases.shared_models()")
    torch.manual_seed(0)
    src = entry["make"]()
    gz.zero_dropouts(src)
    try:
        net = client.push(src, name=case["id"], nested=entry["nested"], zero_dropout=True)
    except paramlab.InvalidRequestError as e:
        print(f"{case['id']}: skipped, the service says: {e}")
        pytest.skip(f"{case['id']} ({case['source']}): not supported by this service yet: {e}")
    try:
        assert repr(net) == repr(src)
        sd, want_sd = net.state_dict(), src.state_dict()
        assert list(sd) == list(want_sd)
        for k, v in want_sd.items():
            assert sd[k].dtype == v.dtype and torch.equal(sd[k], v), k

        # a parameter reached as a user would: net.layer1[0].conv1.weight
        name = next(iter(n for n, _ in src.named_parameters()))
        obj = net
        for part in name.split("."):
            obj = obj[int(part)] if part.isdigit() and obj.type_name in ("Sequential", "ModuleList") \
                else getattr(obj, part)
        assert torch.equal(obj, src.get_parameter(name)), name

        step = [s for s in case["steps"] if s["op"] == "forward" and s["mode"] == "eval"][0]
        args, kwargs = _inputs(step)
        src.eval()
        net.eval()
        with torch.no_grad():
            want = _tensors(src(*args, **kwargs))
        got = _tensors(net(*args, **kwargs))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            scale = float(w.abs().max()) if w.numel() else 0.0
            assert torch.allclose(g, w, rtol=1e-4, atol=1e-5 + 1e-4 * scale), float((g - w).abs().max())

        local = net.to_torch()
        assert not local.training and repr(local) == repr(src)
        for k, v in local.state_dict().items():
            assert torch.equal(v, want_sd[k]), k
        with torch.no_grad():
            again = _tensors(local(*args, **kwargs))
        for a, w in zip(again, want):
            assert torch.equal(a, w)
    finally:
        net.delete()
