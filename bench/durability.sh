#!/usr/bin/env bash
# What the store costs: requests per second of a one-element PATCH, of a seeded init and of the
# eval-mode forward on the chapter's net (4-8-1), with the embedded store (SQLite, WAL,
# synchronous=FULL: an fsync per commit) against the service before the store (memory only).
# Both run on fresh data folders on this project's disk (bench/results/); wrk as bench/run-all.sh
# (2 threads, 8 connections), a warm-up before each measured run. Besides requests per second, the
# service's own CPU time per request (/proc/PID/stat): on a busy machine it moves far less than the rate.
#   bench/durability.sh BEFORE_JAR      e.g. a jar built from the last commit before the store:
#     git worktree add ../paramlab-before f7a39fc && (cd ../paramlab-before && ./mvnw -q -DskipTests package)
#     bench/durability.sh ../paramlab-before/target/paramlab-0.1.0.jar
# Needs: wrk, curl, jq. Options (environment): WRK_WARM, WRK_RUN (seconds; 10 and 10), PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE_JAR=${1:?usage: bench/durability.sh BEFORE_JAR}
AFTER_JAR=target/paramlab-0.1.0.jar
PORT=${PORT:-18090}
WRK_WARM=${WRK_WARM:-10}
WRK_RUN=${WRK_RUN:-10}
OUT=bench/results
mkdir -p "$OUT"
[ -f "$AFTER_JAR" ] || ./mvnw -q -DskipTests package

pids=()
data=$(mktemp -d "$PWD/$OUT/data-XXXXXX")
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

start() {   # start JAR NAME PORT: the service on a fresh data folder, with net in eval mode; sets url to net's URL
  local api="http://127.0.0.1:$3/api/v1" net
  java -jar "$1" --server.port="$3" --paramlab.data-dir="$data/$2" > "$OUT/durability-$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -fs -o /dev/null "$api/models" && break; sleep 0.3; done
  net=$(curl -fsS "$api/models" -H 'Content-Type: application/json' -d '{"name": "net", "seed": 42,
    "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
  curl -fsS -o /dev/null -X PATCH "$api/models/$net" -H 'Content-Type: application/json' -d '{"training": false}'
  url="$api/models/$net"
}

cpu() {   # cpu PID: the process's user + system CPU time so far, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

rps() {   # rps URL LUA NAME PID: one warm-up, then the measured run: "requests/s CPU-µs-per-request" of the service
  local c0 c1
  wrk -t2 -c8 -d"${WRK_WARM}s" -s "$2" "$1" > /dev/null
  c0=$(cpu "$4")
  wrk -t2 -c8 -d"${WRK_RUN}s" --latency -s "$2" "$1" > "$OUT/durability-$3.txt"
  c1=$(cpu "$4")
  if grep -q 'Non-2xx' "$OUT/durability-$3.txt"; then echo "$3: non-2xx answers, see $OUT/durability-$3.txt" >&2; exit 1; fi
  awk -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '/requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%.0f %.0f", r, ticks / hz * 1e6 / n}' "$OUT/durability-$3.txt"
}

# Both services run (the idle one costs nothing); each endpoint is measured on one then the other,
# back to back, so that a change in the machine's load falls on both alike.
start "$BEFORE_JAR" before "$PORT"; before=$url
start "$AFTER_JAR" store $((PORT + 1)); store=$url
row() {   # row TEXT PATH LUA NAME
  local r b a bcpu acpu
  r=$(rps "$before$2" "$3" "before-$4" "${pids[0]}"); read -r b bcpu <<<"$r"
  r=$(rps "$store$2" "$3" "store-$4" "${pids[1]}"); read -r a acpu <<<"$r"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.0f%%", 100 * a / b}')" "$bcpu" "$acpu"
}
{
  echo "| wrk -t2 -c8, ${WRK_RUN} s | before: requests/s | store: requests/s | store / before | before: CPU µs/request | store: CPU µs/request |"
  echo "|---|---|---|---|---|---|"
  row "PATCH one element of \`0.weight\`" /parameters/0.weight bench/patch.lua patch
  row "POST init, seeded normal on the weights" /init bench/init.lua init
  row "POST forward, eval mode (writes nothing)" /forward bench/post.lua forward
} | tee "$OUT/durability.md"
