#!/usr/bin/env bash
# What a commit costs on a 25M-parameter model (one Linear 5000 -> 5000, 100 MB of float32): the latency of
# a one-element PATCH of its weight, a rename and a mode switch (PATCH {"training": ...}), each answered
# after its commit to the embedded store (SQLite, WAL, synchronous=FULL). Two jars side by side in one
# sitting, each on a fresh data folder: BEFORE_JAR (e.g. main before commits wrote only what changed) and
# AFTER_JAR (default: this tree's jar). Rounds alternate which jar goes first; the table has the median
# and the spread of each request's latency (curl's time_total) and the machine's load average.
#   git clone -q . /tmp/paramlab-before && (cd /tmp/paramlab-before && git checkout -q 06dca19 && ./mvnw -q -DskipTests package)
#   bench/commit.sh /tmp/paramlab-before/target/paramlab-0.1.0.jar
# Needs: java, curl, jq, python3. Options (environment): ROUNDS (10), PORT (18190), HEAP (2g).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE_JAR=${1:?usage: bench/commit.sh BEFORE_JAR [AFTER_JAR]}
AFTER_JAR=${2:-target/paramlab-0.1.0.jar}
ROUNDS=${ROUNDS:-10}
PORT=${PORT:-18190}
HEAP=${HEAP:-2g}
OUT=bench/results
mkdir -p "$OUT"
[ -f "$AFTER_JAR" ] || ./mvnw -q -DskipTests package

pids=()
data=$(mktemp -d "$PWD/$OUT/commit-data-XXXXXX")
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

declare -A api model
start() {   # start NAME JAR PORT: the service on a fresh data folder, with the 25M-parameter model created
  local base="http://127.0.0.1:$3/api/v1" t0 t1
  java -Xmx"$HEAP" -jar "$2" --server.port="$3" --paramlab.data-dir="$data/$1" > "$OUT/commit-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -fs -o /dev/null "$base/models" && break; sleep 0.3; done
  t0=$(date +%s%N)
  model[$1]=$(curl -fsS "$base/models" -H 'Content-Type: application/json' \
    -d '{"name": "big", "seed": 1, "model": {"type": "Linear", "in_features": 5000, "out_features": 5000}}' | jq -r .id)
  t1=$(date +%s%N)
  api[$1]="$base/models/${model[$1]}"
  echo "$1: created ${model[$1]} in $(( (t1 - t0) / 1000000 )) ms" >&2
}

timed() {   # timed URL BODY [HEADER]: one PATCH, "ms-to-first-byte ms-to-last-byte" (fails on a non-2xx answer)
  local r
  r=$(curl -sS -o /dev/null -w '%{http_code} %{time_starttransfer} %{time_total}' -X PATCH "$1" -H 'Content-Type: application/json' \
      ${3:+-H "$3"} -d "$2")
  [ "${r%% *}" -lt 300 ] || { echo "PATCH $1 $2 answered ${r%% *}" >&2; exit 1; }
  awk -v r="$r" 'BEGIN {split(r, t, " "); printf "%.1f %.1f", t[2] * 1000, t[3] * 1000}'
}

one_round() {   # one_round NAME I: the three writes once, appended to their series
  local n=$1 i=$2
  echo "$(timed "${api[$n]}/parameters/weight" "{\"index\": [$((i * 37 % 5000)), $((i * 91 % 5000))], \"value\": $i.5}")" >> "$OUT/commit-$n-element.txt"
  # the same with Prefer: return=minimal (a 204 without the parameter; a jar without it answers the parameter)
  echo "$(timed "${api[$n]}/parameters/weight" "{\"index\": [$((i * 53 % 5000)), $((i * 29 % 5000))], \"value\": $i.25}" \
      'Prefer: return=minimal')" >> "$OUT/commit-$n-minimal.txt"
  echo "$(timed "${api[$n]}" "{\"name\": \"big-$i\"}")" >> "$OUT/commit-$n-rename.txt"
  echo "$(timed "${api[$n]}" "{\"training\": $([ $((i % 2)) = 0 ] && echo true || echo false)}")" >> "$OUT/commit-$n-training.txt"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start before "$BEFORE_JAR" "$PORT"
start after "$AFTER_JAR" $((PORT + 1))
for n in before after; do   # warm-up, not counted
  one_round "$n" 1
  rm -f "$OUT/commit-$n-"{element,minimal,rename,training}.txt
done
for i in $(seq "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then order="before after"; else order="after before"; fi
  for n in $order; do one_round "$n" $((i + 10)); done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$OUT" "$ROUNDS" "$load_before" "$load_after" <<'EOF' | tee "$OUT/commit.md"
import statistics, sys
out, rounds, load_before, load_after = sys.argv[1:]
def series(n, kind, column):
    return [float(line.split()[column]) for line in open(f"{out}/commit-{n}-{kind}.txt")]
def cell(values):
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"
print(f"| Linear 5000→5000 (25M parameters), {rounds} rounds, ms: median (min-max) | before | after | before / after (medians) |")
print("|---|---|---|---|")
for kind, text in [("element", "PATCH one element of `weight`"), ("minimal", "the same with `Prefer: return=minimal`"),
                   ("rename", "PATCH `{\"name\": ...}` (rename)"),
                   ("training", "PATCH `{\"training\": ...}`")]:
    for column, what in [(0, "first byte of the answer"), (1, "whole answer")]:
        if kind != "element" and column == 0:
            continue   # a small answer: its first byte is its last
        b, a = series("before", kind, column), series("after", kind, column)
        print(f"| {text}: {what} | {cell(b)} | {cell(a)} | {statistics.median(b) / statistics.median(a):.1f}x |")
print(f"\nLoad average (1, 5, 15 min) before the runs: {load_before}; after: {load_after}.")
EOF
