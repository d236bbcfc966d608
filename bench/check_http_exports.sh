#!/usr/bin/env bash
# Loads the running service's own HTTP exports with real PyTorch (and safetensors when it imports),
# bit for bit, through bench/check_exports.py. Usage: bench/check_http_exports.sh [API_BASE]
#   default API_BASE http://127.0.0.1:8080/api/v1; needs curl and /usr/bin/python3 with torch.
# The model: a Linear used twice (tied), a BatchNorm1d at "3" (version 2 in _metadata) whose running
# statistics a training-mode forward has moved, and a last Linear.
set -euo pipefail
API=${1:-http://127.0.0.1:8080/api/v1}
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null; then echo "PyTorch is not installed: skipping the export check"; exit 0; fi
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
ID=$(curl -sf "$API/models" -H 'Content-Type: application/json' -d '{"name": "exports", "seed": 7,
  "shared": {"lin": {"type": "Linear", "in_features": 4, "out_features": 4}},
  "model": {"type": "Sequential", "layers": [{"ref": "lin"}, {"type": "ReLU"}, {"ref": "lin"},
    {"type": "BatchNorm1d", "num_features": 4}, {"type": "Linear", "in_features": 4, "out_features": 2}]}}' \
  | $PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')
curl -sf "$API/models/$ID/forward" -H 'Content-Type: application/json' \
  -d '{"input": [[0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [0.9, 1.0, -1.1, 1.2]]}' > /dev/null
curl -sf -o "$DIR/tied.safetensors" "$API/models/$ID/state-dict?format=safetensors"
curl -sf -o "$DIR/copies.safetensors" "$API/models/$ID/state-dict?format=safetensors&tied=copies"
curl -sf -o "$DIR/tied.pt" "$API/models/$ID/state-dict?format=pt"
curl -sf -o "$DIR/state.json" "$API/models/$ID/state-dict"
curl -sf -o "$DIR/parameters.json" "$API/models/$ID/parameters"
# manifest.json as ExportSamples writes it: every value's raw bits, and the tied groups
$PY - "$DIR" <<'PYEOF'
import json, struct, sys
d = sys.argv[1]
state = json.load(open(d + "/state.json"))
def flat(x):
    return [v for e in x for v in flat(e)] if isinstance(x, list) else [x]
def bits(v):
    v = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}.get(v, v)
    return struct.unpack("<I", struct.pack("<f", v))[0]
tensors = {k: {"dtype": t["dtype"], "shape": t["shape"],
               "bits": [bits(v) if t["dtype"] == "float32" else v for v in flat(t["data"])]} for k, t in state.items()}
tied = [[p["name"]] + p["aliases"] for p in json.load(open(d + "/parameters.json")) if p["aliases"]]
json.dump({"tensors": tensors, "tied": tied}, open(d + "/manifest.json", "w"))
PYEOF
$PY bench/check_exports.py "$DIR"
