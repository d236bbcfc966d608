"""torchvision's own state dicts through paramlab and back, by hand against a running service.

For resnet18 and mobilenet_v2 (torchvision 0.14, random weights: nothing is downloaded) it
  1. writes the model's state dict as torchvision users save it: torch.save and safetensors,
  2. creates the model on the service from its torch.fx export (clients/python's paramlab.export),
  3. loads each file with PUT /models/{id}/state-dict?strict=true (both must load strictly),
  4. runs an eval-mode forward and compares it with torchvision's (within 1e-4 of max |y|),
  5. downloads the state dict as pt and as safetensors and loads both into a fresh torchvision
     model with strict=True: every tensor must be bit for bit the one uploaded.

Usage (Debian's python3-torch and python3-torchvision; safetensors' wheel unzipped on PYTHONPATH):
    ./mvnw -q package -DskipTests && java -jar target/paramlab-*.jar &
    PYTHONPATH=clients/python/src:$SAFETENSORS /usr/bin/python3 scripts/torchvision_roundtrip.py [URL]
"""
import io
import sys
import tempfile

import requests
import torch
import torchvision
from safetensors.torch import load as st_load, save_file as st_save_file

import paramlab

URL = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8080"
API = URL.rstrip("/") + "/api/v1"
BINARY = {"Content-Type": "application/octet-stream"}


def torchvision_model(name):
    torch.manual_seed(0)
    m = getattr(torchvision.models, name)(weights=None)
    m.train()
    with torch.no_grad():            # move BatchNorm's running statistics off their defaults
        for _ in range(2):
            m(torch.randn(4, 3, 64, 64))
    return m.eval()


def upload(model_id, path):
    with open(path, "rb") as f:
        r = requests.put(f"{API}/models/{model_id}/state-dict", params={"strict": "true"}, data=f, headers=BINARY)
    if r.status_code != 200:
        raise SystemExit(f"strict load of {path} refused: {r.status_code} {r.text[:500]}")
    answer = r.json()
    assert not answer["missing_keys"] and not answer["unexpected_keys"], answer
    return answer


def forward_difference(net, m):
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = m(x)
    got = net(x)
    return (got - expected).abs().max().item() / expected.abs().max().item()


def check_download(model_id, name, m, fmt):
    r = requests.get(f"{API}/models/{model_id}/state-dict", params={"format": fmt})
    r.raise_for_status()
    sd = torch.load(io.BytesIO(r.content), weights_only=True) if fmt == "pt" else st_load(r.content)
    fresh = getattr(torchvision.models, name)(weights=None)
    fresh.load_state_dict(sd, strict=True)
    original = m.state_dict()
    loaded = fresh.state_dict()
    bad = [k for k in original if not (original[k].dtype == loaded[k].dtype and torch.equal(original[k], loaded[k]))]
    return len(original), bad


def main():
    client = paramlab.connect(URL)
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        for name in ("resnet18", "mobilenet_v2"):
            m = torchvision_model(name)
            pt, st = f"{d}/{name}.pt", f"{d}/{name}.safetensors"
            torch.save(m.state_dict(), pt)
            st_save_file(m.state_dict(), st)
            for path in (pt, st):
                net = client.create({**paramlab.export(m), "name": f"{name}-roundtrip"})
                upload(net.id, path)
                net.eval()
                diff = forward_difference(net, m)
                rows = [check_download(net.id, name, m, fmt) for fmt in ("pt", "safetensors")]
                ok = diff < 1e-4 and all(not bad for _, bad in rows)
                failures += not ok
                print(f"{name:13s} {path.rsplit('.', 1)[1]:11s} strict load ok, forward max rel diff {diff:.2e}, "
                      f"export pt: {rows[0][0] - len(rows[0][1])}/{rows[0][0]} keys bit for bit, "
                      f"safetensors: {rows[1][0] - len(rows[1][1])}/{rows[1][0]}  {'OK' if ok else 'FAILED'}")
                net.delete()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
