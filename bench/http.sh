#!/usr/bin/env bash
# The plain HTTP forward, side by side in one sitting: POST /models/{id}/forward of the chapter's X on
# the chapter's net (4-8-1, created as bench/run-all.sh does), wrk -t2 -c8 on loopback, against
#   - an older jar (OLD_JAR, e.g. 51d69a5, before the store, security, idempotency and forwarding),
#   - this tree's jar (NEW_JAR, default target/paramlab-0.1.0.jar, built if missing),
#   - the FastAPI + PyTorch peer (bench/fastapi_peer.py, one uvicorn worker).
# All three run at once on fresh data folders (an idle one costs nothing). Each is warmed up (two runs:
# see bench/run-all.sh), then ROUNDS rounds measure old and new back to back, the order alternating from
# round to round, so that a change in the machine's load falls on both alike; the peer is measured once
# per round too. Besides requests/s and latency, the service's own CPU time per request
# (/proc/PID/stat), which moves less than the rate on a busy machine.
#   git worktree add ../paramlab-old 51d69a5 && (cd ../paramlab-old && ./mvnw -q -DskipTests package)
#   bench/http.sh ../paramlab-old/target/paramlab-0.1.0.jar
# Needs: wrk, curl, jq, /usr/bin/python3 with torch, fastapi, uvicorn.
# Options (environment): ROUNDS (6), WRK_WARM (15), WRK_RUN (10), PORT (18180: old, +1 new, +2 peer),
# PEER=0 skips the peer, JAVA_OPTS (given to both jars).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD_JAR=${1:?usage: bench/http.sh OLD_JAR [NEW_JAR]}
NEW_JAR=${2:-target/paramlab-0.1.0.jar}
ROUNDS=${ROUNDS:-6}
WRK_WARM=${WRK_WARM:-15}
WRK_RUN=${WRK_RUN:-10}
PORT=${PORT:-18180}
PEER=${PEER:-1}
OUT=bench/results
mkdir -p "$OUT"
[ -f "$NEW_JAR" ] || ./mvnw -q -DskipTests package

pids=()
data=$(mktemp -d "$PWD/$OUT/data-XXXXXX")
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.3; done; echo "no answer from $1" >&2; exit 1; }

start() {   # start JAR NAME PORT: the service on a fresh data folder with the chapter's net; sets url to its forward URL
  local api="http://127.0.0.1:$3/api/v1" net
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$1" --server.port="$3" --paramlab.data-dir="$data/$2" > "$OUT/http-$2.log" 2>&1 &
  pids+=($!)
  wait_http "$api/models"
  net=$(curl -fsS "$api/models" -H 'Content-Type: application/json' -d '{"name": "net", "seed": 42,
    "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
  url="$api/models/$net/forward"
}

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system CPU time of PID so far, in clock ticks

measure() {   # measure URL NAME PID: one wrk run; prints "requests/s p50-ms p99-ms CPU-µs-per-request"
  local c0 c1 f="$OUT/http-$2.txt"
  c0=$(cpu "$3")
  wrk -t2 -c8 -d"${WRK_RUN}s" --latency -s bench/post.lua "$1" > "$f"
  c1=$(cpu "$3")
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$f"; then echo "$2: errors, see $f" >&2; exit 1; fi
  awk -v ticks=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /requests in/ {n = $1} /Requests\/sec/ {r = $2} / 50%/ {p50 = ms($2)} / 99%/ {p99 = ms($2)}
    END {printf "%.0f %.2f %.2f %.0f", r, p50, p99, ticks / hz * 1e6 / n}' "$f"
}

warm() {   # warm URL: two runs, see bench/run-all.sh
  wrk -t2 -c8 -d"${WRK_WARM}s" -s bench/post.lua "$1" > /dev/null
  wrk -t2 -c8 -d"${WRK_WARM}s" -s bench/post.lua "$1" > /dev/null
}

start "$OLD_JAR" old "$PORT"; old=$url
start "$NEW_JAR" new $((PORT + 1)); new=$url
if [ "$PEER" = 1 ]; then
  /usr/bin/python3 bench/fastapi_peer.py --port $((PORT + 2)) > "$OUT/http-peer.log" 2>&1 & pids+=($!)
  wait_http "http://127.0.0.1:$((PORT + 2))/docs"
  peer="http://127.0.0.1:$((PORT + 2))/api/v1/models/net/forward"
fi
echo "load before warm-up: $(uptime)"
warm "$old"; warm "$new"; [ "$PEER" = 1 ] && warm "$peer"

table="$OUT/http.md"
{
  echo "| round | old req/s | new req/s | new/old | old p50 | new p50 | old p99 | new p99 | old CPU µs/req | new CPU µs/req | peer req/s | peer p99 | new/peer |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"
for i in $(seq "$ROUNDS"); do
  if [ $((i % 2)) = 1 ]; then
    o=$(measure "$old" old "${pids[0]}"); n=$(measure "$new" new "${pids[1]}")
  else
    n=$(measure "$new" new "${pids[1]}"); o=$(measure "$old" old "${pids[0]}")
  fi
  p="- - - -"; [ "$PEER" = 1 ] && p=$(measure "$peer" peer "${pids[2]}")
  read -r orps op50 op99 ocpu <<<"$o"; read -r nrps np50 np99 ncpu <<<"$n"; read -r prps pp50 pp99 pcpu <<<"$p"
  printf '| %d | %s | %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %s | %s | %s | %s |\n' "$i" "$orps" "$nrps" \
    "$(awk -v a="$nrps" -v b="$orps" 'BEGIN {printf "%.2f", a / b}')" "$op50" "$np50" "$op99" "$np99" "$ocpu" "$ncpu" \
    "$prps" "$pp99 ms" "$(awk -v a="$nrps" -v b="$prps" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "-"}')" | tee -a "$table"
done
awk -F'|' 'NR > 2 {o += $3; n += $4; p += $12; r[NR] = $5}
  END {printf "\nsummed over the rounds: new/old %.2f (%.0f against %.0f requests/s)", n / o, n, o;
       if (p > 0) printf ", new/peer %.1f", n / p; print ""}' "$table" | tee -a "$table"
echo "load after: $(uptime)" | tee -a "$table"
