#!/usr/bin/env bash
# Issue #21's check, by hand: a 1.5 GB bfloat16 safetensors file goes into a service started with -Xmx512m
# (POST /state-dicts) and comes back (GET ?format=safetensors) with the same sha256. Prints the times, the
# service's peak resident memory (VmHWM) and both sha256 as markdown (also bench/results/state-dict-small-heap.md).
# The file is generated at run time (random bfloat16 values from torch, 24 tensors of 64 MiB, header written
# here); it and the service's data folder are deleted at the end. The automated variant, smaller (288 MiB under
# -Xmx256m), is StoredStateDictSmallHeapTest.
# Usage: bench/state_dict_small_heap.sh   (SIZE_MB=1536, HEAP=512m; needs curl, a built jar
# (./mvnw -q -DskipTests package) and /usr/bin/python3 with torch)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results; mkdir -p "$OUT"
PORT=${PORT:-18085}; SIZE_MB=${SIZE_MB:-1536}; HEAP=${HEAP:-512m}
API=http://127.0.0.1:$PORT/api/v1
JAR=${JAR:-$(ls target/paramlab-*.jar | grep -v plain | head -1)}
TMP=$(mktemp -d)
java -Xmx"$HEAP" -jar "$JAR" --server.port="$PORT" --paramlab.data-dir="$TMP/data" \
  --paramlab.limits.max-state-dict-bytes=4GB > "$OUT/state-dict-small-heap.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
/usr/bin/python3 - "$TMP/big.safetensors" "$SIZE_MB" <<'PY'
import json, struct, sys, torch
path, size_mb = sys.argv[1], int(sys.argv[2])
n, per = size_mb // 64, 32 << 20          # tensors of 32 Mi bfloat16 values: 64 MiB each
header = {"__metadata__": {"format": "pt"}}
for i in range(n):
    header["layers.%d.weight" % i] = {"dtype": "BF16", "shape": [4096, per // 4096], "data_offsets": [i * 2 * per, (i + 1) * 2 * per]}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
torch.manual_seed(0)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for i in range(n):
        f.write(torch.randn(per).to(torch.bfloat16).view(torch.int16).numpy().tobytes())
PY
for _ in $(seq 300); do curl -s -o /dev/null "$API/state-dicts" && break; sleep 0.3; done
SIZE=$(stat -c %s "$TMP/big.safetensors")
SHA_IN=$(sha256sum "$TMP/big.safetensors" | cut -d' ' -f1)
rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status"; }
RSS_START=$(rss)
UP=$(curl -sf -o "$TMP/created.json" -w '%{time_total}' -H 'Content-Type: application/octet-stream' -H 'Expect:' \
  -X POST -T "$TMP/big.safetensors" "$API/state-dicts")
ID=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$TMP/created.json")
RSS_UP=$(rss)
DOWN=$(curl -sf -o "$TMP/back.safetensors" -w '%{time_total}' "$API/state-dicts/$ID?format=safetensors")
SHA_OUT=$(sha256sum "$TMP/back.safetensors" | cut -d' ' -f1)
RSS_DOWN=$(rss)
PEAK=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
DISK=$(du -sm "$TMP/data" | cut -f1)
{
echo "| $(awk -v b="$SIZE" 'BEGIN { printf "%.2f GB", b / 1e9 }') bfloat16 safetensors, java -Xmx$HEAP | |"
echo "|---|---|"
awk -v s="$UP" -v b="$SIZE" 'BEGIN { printf "| upload (curl -T) | %.1f s, %.0f MB/s |\n", s, b / 1e6 / s }'
awk -v s="$DOWN" -v b="$SIZE" 'BEGIN { printf "| download (curl) | %.1f s, %.0f MB/s |\n", s, b / 1e6 / s }'
echo "| service RSS: started / after upload / after download / peak (VmHWM) | $RSS_START / $RSS_UP / $RSS_DOWN / $PEAK MB |"
echo "| store on disk after the upload | $DISK MB |"
echo "| sha256 in | \`$SHA_IN\` |"
echo "| sha256 out | \`$SHA_OUT\` |"
if [ "$SHA_IN" = "$SHA_OUT" ]; then echo "| same sha256 | **yes** |"; else echo "| same sha256 | **NO** |"; fi
echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
} | tee "$OUT/state-dict-small-heap.md"
[ "$SHA_IN" = "$SHA_OUT" ]
