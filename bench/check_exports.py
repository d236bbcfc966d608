"""Loads paramlab's exports with real PyTorch and safetensors and checks them bit for bit.

Usage: python3 bench/check_exports.py DIR   (DIR written by io.paramlab.formats.ExportSamples:
tied.safetensors, copies.safetensors, tied.pt, plain.pt, manifest.json; or by
bench/check_http_exports.sh from the service's HTTP exports, which have no plain.pt). Needs torch; the
safetensors checks run when the safetensors package imports. Exits non-zero on any mismatch.
"""
import json
import os
import sys

import torch
import torch.nn as nn

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def expected(manifest):
    out = {}
    for k, t in manifest["tensors"].items():
        if t["dtype"] == "float32":
            v = torch.tensor(t["bits"], dtype=torch.int64).to(torch.int32).view(torch.float32)
        else:
            v = torch.tensor(t["bits"], dtype=torch.int64)
        out[k] = v.reshape(t["shape"])
    return out


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == torch.float32:
        return torch.equal(a.contiguous().view(torch.int32), b.contiguous().view(torch.int32))
    return torch.equal(a, b)


def check_dict(name, sd, want):
    check(list(sd.keys()) == list(want.keys()) or set(sd.keys()) == set(want.keys()), f"{name}: keys {list(sd.keys())}")
    for k, v in want.items():
        check(k in sd and same_bits(sd[k], v), f"{name}: {k} bit for bit")


class Holder(nn.Module):
    """A module whose state_dict has exactly the manifest's keys, tied where the manifest says."""

    def __init__(self, want, tied):
        super().__init__()
        self.names = list(want.keys())
        made = {}
        alias = {k: g[0] for g in tied for k in g[1:]}
        for k in self.names:
            if k in alias:
                made[k] = made[alias[k]]
            else:
                made[k] = nn.Parameter(torch.zeros_like(want[k])) if want[k].is_floating_point() \
                    else torch.zeros_like(want[k])
        self._made = made

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for k in self.names:
            destination[prefix + k] = self._made[k] if keep_vars else self._made[k].detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        for k in self.names:
            if prefix + k in state_dict:
                with torch.no_grad():
                    self._made[k].copy_(state_dict[prefix + k])
            else:
                missing_keys.append(prefix + k)
        for k in state_dict:
            if k.startswith(prefix) and k[len(prefix):] not in self._made:
                unexpected_keys.append(k)


def main():
    d = sys.argv[1]
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    want = expected(manifest)
    print("torch", torch.__version__)

    for f in ("tied.pt", "plain.pt"):
        if not os.path.exists(os.path.join(d, f)):
            print("skip %s: not in %s" % (f, d))
            continue
        for weights_only in (False, True):
            sd = torch.load(os.path.join(d, f), weights_only=weights_only)
            what = f"{f} torch.load(weights_only={weights_only})"
            check(type(sd).__name__ == "OrderedDict", f"{what}: an OrderedDict")
            check(list(sd.keys()) == list(want.keys()), f"{what}: keys in order")
            check_dict(what, sd, want)
            for group in manifest["tied"]:
                ptrs = {sd[k].storage().data_ptr() for k in group}
                check(len(ptrs) == 1, f"{what}: {group} share one storage")
            if f == "tied.pt":
                md = getattr(sd, "_metadata", None)
                check(md is not None and md.get("3") == {"version": 2} and md.get("") == {"version": 1},
                      f"{what}: _metadata {md}")
            else:
                check(not hasattr(sd, "_metadata"), f"{what}: no _metadata")

    try:
        from safetensors.torch import load_file, load_model
    except Exception as e:  # noqa: BLE001
        print("safetensors not importable, skipping its checks:", e)
        return
    copies = load_file(os.path.join(d, "copies.safetensors"))
    check_dict("copies.safetensors load_file", copies, want)
    tied = load_file(os.path.join(d, "tied.safetensors"))
    kept = {k: v for k, v in want.items() if k in tied}
    check_dict("tied.safetensors load_file (kept keys)", tied, kept)
    from safetensors import safe_open
    with safe_open(os.path.join(d, "tied.safetensors"), "pt") as f:
        md = f.metadata()
    check(md.get("format") == "pt", f"tied.safetensors: __metadata__ format pt ({md})")
    for g in manifest["tied"]:
        kept_name = sorted(g)[0]
        check(all(md.get(k) == kept_name for k in g if k != kept_name), f"tied.safetensors: {g} mapped to {kept_name}")
    holder = Holder(want, manifest["tied"])
    missing, unexpected = load_model(holder, os.path.join(d, "tied.safetensors"))
    check(not missing and not unexpected, f"load_model: missing {missing}, unexpected {unexpected}")
    check_dict("tied.safetensors via load_model", holder.state_dict(), want)


if __name__ == "__main__":
    main()
    print("FAILED: %d checks" % len(failures) if failures else "all checks passed")
    sys.exit(1 if failures else 0)
