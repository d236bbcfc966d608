#!/usr/bin/env bash
# GET and PUT of a 25,171,968-parameter state dict over HTTP (curl, loopback) in JSON, safetensors
# and torch.save, beside PyTorch's own torch.save/torch.load and safetensors save/load of the same
# tensors in memory; then bench/check_http_exports.sh. Prints a markdown table (also written to
# bench/results/state-dict-http.md). Usage: bench/state_dict_http.sh   (REPEAT=3 runs each, best kept)
# Needs: curl; a built jar (./mvnw -q -DskipTests package); /usr/bin/python3 with torch for the
# PyTorch rows and the export check; the safetensors package on PYTHONPATH for its rows, e.g.
#   python3 -m pip download safetensors --no-deps -d /tmp/st && (cd /tmp/st && python3 -m zipfile -e safetensors-*.whl unz)
#   PYTHONPATH=/tmp/st/unz bench/state_dict_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results; mkdir -p "$OUT"
PORT=${PORT:-18081}; REPEAT=${REPEAT:-3}; PY=/usr/bin/python3
API=http://127.0.0.1:$PORT/api/v1
JAR=$(ls target/paramlab-*.jar | grep -v plain | head -1)
TMP=$(mktemp -d)
java -Xmx2g -jar "$JAR" --server.port=$PORT --paramlab.limits.max-body-size=1GB > "$OUT/state-dict-http.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 200); do curl -s -o /dev/null "$API/models" && break; sleep 0.3; done
ID=$(curl -sf "$API/models" -H 'Content-Type: application/json' -d '{"name": "25M", "seed": 42, "model": {"type": "Sequential",
  "layers": [{"type": "Linear", "in_features": 4096, "out_features": 4096}, {"type": "ReLU"},
  {"type": "Linear", "in_features": 4096, "out_features": 2048}]}}' | sed 's/.*"id":"\([^"]*\)".*/\1/')

best() {   # best SECONDS...: the smallest
  printf '%s\n' "$@" | sort -g | head -1
}
row() {    # row NAME SECONDS BYTES
  awk -v n="$1" -v s="$2" -v b="$3" 'BEGIN { printf "| %s | %.0f ms | %.1f MB | %.0f MB/s |\n", n, s * 1000, b / 1e6, b / 1e6 / s }'
}
declare -A GET_S PUT_S
{
echo "| operation | time (best of $REPEAT) | size | throughput |"
echo "|---|---|---|---|"
for f in json safetensors pt; do
  times=()
  for _ in $(seq "$REPEAT"); do
    times+=("$(curl -sf -o "$TMP/sd.$f" -w '%{time_total}' "$API/models/$ID/state-dict?format=$f")")
  done
  GET_S[$f]=$(best "${times[@]}"); size=$(stat -c %s "$TMP/sd.$f")
  row "paramlab GET ?format=$f (curl)" "${GET_S[$f]}" "$size"
  type=application/octet-stream; [ $f = json ] && type=application/json
  times=()
  for _ in $(seq "$REPEAT"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Content-Type: $type" -T "$TMP/sd.$f" \
      "$API/models/$ID/state-dict")")
  done
  PUT_S[$f]=$(best "${times[@]}")
  row "paramlab PUT $f (curl)" "${PUT_S[$f]}" "$size"
done
if $PY -c 'import torch' 2>/dev/null; then
  $PY bench/state_dict_pytorch.py --repeat "$REPEAT" | while read -r line; do
    echo "$line" | $PY -c 'import json, sys
r = json.loads(sys.stdin.read())
if "skipped" in r: print("| %s | skipped: %s | | |" % (r["what"], r["skipped"]))
else: print("| PyTorch %s | %.0f ms | %.1f MB | %.0f MB/s |" % (r["what"], r["ms"], r["bytes"] / 1e6, r["bytes"] / 1e6 / (r["ms"] / 1000)))'
  done
else
  echo "| PyTorch | not installed: skipped | | |"
fi
echo
for f in safetensors pt; do
  awk -v f=$f -v jg="${GET_S[json]}" -v jp="${PUT_S[json]}" -v g="${GET_S[$f]}" -v p="${PUT_S[$f]}" \
    'BEGIN { printf "%s: GET %.1fx and PUT %.1fx faster than JSON\n", f, jg / g, jp / p }'
done
} | tee "$OUT/state-dict-http.md"
echo "== export check (PyTorch loads the service's own exports)"
bench/check_http_exports.sh "$API"
