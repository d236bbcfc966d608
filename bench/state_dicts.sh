#!/usr/bin/env bash
# Upload and download of a ~1 GB safetensors file as a stored state dict (POST /state-dicts, GET
# ?format=safetensors, curl over loopback) beside safetensors.torch.load_file / save_file of the same file,
# in one sitting. Prints a markdown table (also written to bench/results/state-dicts.md).
# Usage: bench/state_dicts.sh   (SIZE_MB=1024 by default; REPEAT=2 runs each, best kept; JAR= another build to
# measure, JAVA_OPTS= extra JVM options (e.g. a JFR recording), FILE= an existing safetensors file instead of a new one,
# PYTHON=0 skips the safetensors rows)
# Needs: curl; a built jar (./mvnw -q -DskipTests package); /usr/bin/python3 with torch, and the safetensors
# package on PYTHONPATH, e.g.
#   python3 -m pip download safetensors --no-deps -d /tmp/st && (cd /tmp/st && python3 -m zipfile -e safetensors-*.whl unz)
#   PYTHONPATH=/tmp/st/unz bench/state_dicts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results; mkdir -p "$OUT"
PORT=${PORT:-18082}; REPEAT=${REPEAT:-2}; SIZE_MB=${SIZE_MB:-1024}; PY=/usr/bin/python3
API=http://127.0.0.1:$PORT/api/v1
JAR=${JAR:-$(ls target/paramlab-*.jar | grep -v plain | head -1)}
TMP=$(mktemp -d)
# shellcheck disable=SC2086
java -Xmx512m ${JAVA_OPTS:-} -jar "$JAR" --server.port=$PORT --paramlab.data-dir="$TMP/data" --paramlab.limits.max-state-dict-bytes=4GB \
  > "$OUT/state-dicts.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
# the file: bfloat16 tensors of 64 MiB each, random values (so no chunk repeats), written by safetensors itself
if [ -n "${FILE:-}" ]; then ln -s "$(realpath "$FILE")" "$TMP/big.safetensors"; else
$PY - "$TMP/big.safetensors" "$SIZE_MB" <<'PY'
import sys, torch
from safetensors.torch import save_file
n = int(sys.argv[2]) // 64
torch.manual_seed(0)
save_file({"layers.%d.weight" % i: torch.randn(32 << 20, dtype=torch.float32).to(torch.bfloat16) for i in range(n)}, sys.argv[1])
PY
fi
for _ in $(seq 200); do curl -s -o /dev/null "$API/state-dicts" && break; sleep 0.3; done
SIZE=$(stat -L -c %s "$TMP/big.safetensors")
TICK=$(getconf CLK_TCK)
# the service's CPU time so far (user + system, all threads), in seconds: less at the mercy of the machine's load than wall time
cpu() { awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$PID/stat"; }
# the best run of "seconds cpu-seconds" lines: the fastest
best() { printf '%s\n' "$@" | sort -g | head -1; }
row() { awk -v n="$1" -v s="$2" -v c="$3" -v b="$4" \
  'BEGIN { printf "| %s | %.2f s | %.2f s | %.0f MB | %.0f MB/s |\n", n, s, c, b / 1e6, b / 1e6 / s }'; }
{
echo "| operation | time (best of $REPEAT) | its CPU time | size | throughput |"
echo "|---|---|---|---|---|"
up=(); down=()
for i in $(seq "$REPEAT"); do
  c0=$(cpu)
  # -T streams the file (--data-binary @file reads it whole into curl's memory, and refuses past 1 GiB)
  t=$(curl -sf -o "$TMP/created.json" -w '%{time_total}' -H 'Content-Type: application/octet-stream' -H 'Expect:' \
    -X POST -T "$TMP/big.safetensors" "$API/state-dicts")
  c1=$(cpu); up+=("$t $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')")
  ID=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$TMP/created.json")
  t=$(curl -sf -o "$TMP/back.safetensors" -w '%{time_total}' "$API/state-dicts/$ID?format=safetensors")
  c2=$(cpu); down+=("$t $(awk -v a="$c1" -v b="$c2" 'BEGIN { print b - a }')")
  cmp -s "$TMP/big.safetensors" "$TMP/back.safetensors" || { echo "download differs from the upload"; exit 1; }
  # deleted (its chunks reclaimed), so the next upload stores every chunk again rather than finding them stored
  curl -sf -X DELETE "$API/state-dicts/$ID"; rm -f "$TMP/back.safetensors"
done
# shellcheck disable=SC2046
row "paramlab POST /state-dicts (safetensors, curl)" $(best "${up[@]}") "$SIZE"
# shellcheck disable=SC2046
row "paramlab GET ?format=safetensors (curl)" $(best "${down[@]}") "$SIZE"
[ "${PYTHON:-1}" = 0 ] || $PY - "$TMP/big.safetensors" "$TMP/saved.safetensors" "$REPEAT" <<'PY' | while read -r name s c; do row "$name" "$s" "$c" "$SIZE"; done
import sys, time
from safetensors.torch import load_file, save_file
src, dst, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
loads, saves = [], []
for _ in range(repeat):
    # load_file maps the file lazily: clone() reads every byte, as an upload must
    t, c = time.perf_counter(), time.process_time()
    d = {k: v.clone() for k, v in load_file(src).items()}
    loads.append((time.perf_counter() - t, time.process_time() - c))
    t, c = time.perf_counter(), time.process_time()
    save_file(d, dst)
    saves.append((time.perf_counter() - t, time.process_time() - c))
print("safetensors.torch.load_file+clone", *min(loads))
print("safetensors.torch.save_file", *min(saves))
PY
echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine counts)."
} | tee "$OUT/state-dicts.md"
