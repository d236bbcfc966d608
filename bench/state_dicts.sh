#!/usr/bin/env bash
# Upload and download of a ~1 GB safetensors file as a stored state dict (POST /state-dicts, GET
# ?format=safetensors, curl over loopback) beside safetensors.torch.load_file / save_file of the same file,
# in one sitting. Prints a markdown table (also written to bench/results/state-dicts.md).
# Usage: bench/state_dicts.sh   (SIZE_MB=1024 by default; REPEAT=2 runs each, best kept)
# Needs: curl; a built jar (./mvnw -q -DskipTests package); /usr/bin/python3 with torch, and the safetensors
# package on PYTHONPATH, e.g.
#   python3 -m pip download safetensors --no-deps -d /tmp/st && (cd /tmp/st && python3 -m zipfile -e safetensors-*.whl unz)
#   PYTHONPATH=/tmp/st/unz bench/state_dicts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results; mkdir -p "$OUT"
PORT=${PORT:-18082}; REPEAT=${REPEAT:-2}; SIZE_MB=${SIZE_MB:-1024}; PY=/usr/bin/python3
API=http://127.0.0.1:$PORT/api/v1
JAR=$(ls target/paramlab-*.jar | grep -v plain | head -1)
TMP=$(mktemp -d)
java -Xmx512m -jar "$JAR" --server.port=$PORT --paramlab.data-dir="$TMP/data" --paramlab.limits.max-state-dict-bytes=4GB \
  > "$OUT/state-dicts.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
# the file: bfloat16 tensors of 64 MiB each, random values (so no chunk repeats), written by safetensors itself
$PY - "$TMP/big.safetensors" "$SIZE_MB" <<'PY'
import sys, torch
from safetensors.torch import save_file
n = int(sys.argv[2]) // 64
torch.manual_seed(0)
save_file({"layers.%d.weight" % i: torch.randn(32 << 20, dtype=torch.float32).to(torch.bfloat16) for i in range(n)}, sys.argv[1])
PY
for _ in $(seq 200); do curl -s -o /dev/null "$API/state-dicts" && break; sleep 0.3; done
SIZE=$(stat -c %s "$TMP/big.safetensors")
best() { printf '%s\n' "$@" | sort -g | head -1; }
row() { awk -v n="$1" -v s="$2" -v b="$3" 'BEGIN { printf "| %s | %.2f s | %.0f MB | %.0f MB/s |\n", n, s, b / 1e6, b / 1e6 / s }'; }
{
echo "| operation | time (best of $REPEAT) | size | throughput |"
echo "|---|---|---|---|"
up=(); down=()
for i in $(seq "$REPEAT"); do
  out=$(curl -sf -o "$TMP/created.json" -w '%{time_total}' -H 'Content-Type: application/octet-stream' \
    --data-binary @"$TMP/big.safetensors" "$API/state-dicts")
  up+=("$out")
  ID=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$TMP/created.json")
  down+=("$(curl -sf -o "$TMP/back.safetensors" -w '%{time_total}' "$API/state-dicts/$ID?format=safetensors")")
  cmp -s "$TMP/big.safetensors" "$TMP/back.safetensors" || { echo "download differs from the upload"; exit 1; }
done
row "paramlab POST /state-dicts (safetensors, curl)" "$(best "${up[@]}")" "$SIZE"
row "paramlab GET ?format=safetensors (curl)" "$(best "${down[@]}")" "$SIZE"
$PY - "$TMP/big.safetensors" "$TMP/saved.safetensors" "$REPEAT" <<'PY' | while read -r name s; do row "$name" "$s" "$SIZE"; done
import sys, time
from safetensors.torch import load_file, save_file
src, dst, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
loads, saves = [], []
for _ in range(repeat):
    # load_file maps the file lazily: clone() reads every byte, as an upload must
    t = time.perf_counter(); d = {k: v.clone() for k, v in load_file(src).items()}; loads.append(time.perf_counter() - t)
    t = time.perf_counter(); save_file(d, dst); saves.append(time.perf_counter() - t)
print("safetensors.torch.load_file+clone", min(loads))
print("safetensors.torch.save_file", min(saves))
PY
echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine counts)."
} | tee "$OUT/state-dicts.md"
