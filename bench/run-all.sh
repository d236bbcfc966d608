#!/usr/bin/env bash
# The side-by-side, in one sitting: JMH (engine, tensor JSON, 25M state dict) beside PyTorch, then
# wrk against paramlab's forward endpoint beside the FastAPI + PyTorch peer. Prints the README's
# table; raw results go to bench/results/. Needs: wrk, /usr/bin/python3 with torch, fastapi, uvicorn
#   apt-get install -y wrk python3-torch python3-fastapi python3-uvicorn libopenblas0-pthread
# Options (environment): QUICK=1 shortens every measurement (smoke test, not for the table).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results
mkdir -p "$OUT"
PY=/usr/bin/python3
PORT=${PORT:-18080}
PEER_PORT=${PEER_PORT:-18001}
JMH_OPTS=""; PT_SECONDS=3; WRK_WARM=15; WRK_RUN=10
if [ "${QUICK:-0}" = 1 ]; then JMH_OPTS="-wi 1 -i 2 -r 500ms -w 500ms"; PT_SECONDS=1; WRK_WARM=5; WRK_RUN=5; fi

echo "== build"
./mvnw -q -Pbench -DskipTests package

jmh() {   # jmh RESULT_FILE ARGS...
  local file=$1; shift
  ./mvnw -q -Pbench -DskipTests test-compile exec:exec -Djmh.args="$* $JMH_OPTS -rf json -rff $file" | grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)'
}

echo "== JMH: engine, tensor JSON, state dict (BLAS threads: ${OPENBLAS_NUM_THREADS:-default})"
jmh "$OUT/jmh.json" "EngineBenchmark|JsonBenchmark|StateDictBenchmark"
echo "== PyTorch, torch.set_num_threads(1)"
$PY bench/pytorch_bench.py --seconds $PT_SECONDS --json "$OUT/pytorch.json"

echo "== one BLAS thread on both sides (OPENBLAS_NUM_THREADS=1)"
OPENBLAS_NUM_THREADS=1 jmh "$OUT/jmh-1thread.json" "EngineBenchmark" -p model=MLP784,MLP1024
OPENBLAS_NUM_THREADS=1 $PY bench/pytorch_bench.py --seconds $PT_SECONDS --json "$OUT/pytorch-1thread.json"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.3; done; echo "no answer from $1" >&2; exit 1; }
load() {   # load URL NAME: warm up, then measure with wrk (2 threads, 8 connections)
  # Two warm-up runs: the end of one run and the start of the next close and open connections, and
  # on the JVM those paths deoptimise hot compiled code; the run after the first churn is slow for a
  # few seconds while it recompiles, so the measured run must come after a second one.
  wrk -t2 -c8 -d${WRK_WARM}s -s bench/post.lua "$1" > /dev/null
  wrk -t2 -c8 -d${WRK_WARM}s -s bench/post.lua "$1" > /dev/null
  wrk -t2 -c8 -d${WRK_RUN}s --latency -s bench/post.lua "$1" | tee "$OUT/wrk-$2.txt" | grep -E 'Requests/sec| 50%| 99%'
}

echo "== HTTP: paramlab (java -jar, defaults), POST /forward of the chapter's X"
java -jar target/paramlab-0.1.0.jar --server.port=$PORT > "$OUT/paramlab.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$PORT/api/v1/models"
NET=$(curl -s "http://127.0.0.1:$PORT/api/v1/models" -H 'Content-Type: application/json' -d '{"name": "net", "seed": 42,
  "model": {"type": "Sequential", "layers": [{"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
  {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | $PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')
load "http://127.0.0.1:$PORT/api/v1/models/$NET/forward" paramlab
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

echo "== HTTP: FastAPI + PyTorch peer (uvicorn, one worker)"
$PY bench/fastapi_peer.py --port $PEER_PORT > "$OUT/fastapi.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$PEER_PORT/docs"
load "http://127.0.0.1:$PEER_PORT/api/v1/models/net/forward" fastapi
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true

echo
$PY bench/report.py "$OUT" | tee "$OUT/table.md"
