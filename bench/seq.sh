#!/usr/bin/env bash
# Sequence models side by side with PyTorch 1.13, in one sitting (issue #20, "Speed"): forward and
# forward+backward of an LSTM language model (Embedding -> 2-layer LSTM, hidden 256 -> Linear; batch 32,
# 64 steps) and of a 4-layer TransformerEncoder (d_model 256, 4 heads, ff 1024; batch 16, 128 tokens),
# one thread and all cores (paramlab: bench's SeqBench at the engine level; PyTorch: bench/pytorch_seq.py);
# then the character-level LSTM job over HTTP beside PyTorch's own loop on the same text (tokens/s).
# Each measurement is its own process and the two sides alternate: read the ratios.
# Writes bench/results/seq.jsonl (raw) and bench/results/seq.md (the table).
#   apt-get install -y python3-torch libopenblas0-pthread
# Options (environment): SECONDS_EACH (default 12) per time measurement; QUICK=1 (smoke test);
# SKIP_JOB=1; SKIP_BUILD=1 (target/ already built with -Pbench).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results
mkdir -p "$OUT"
PY=/usr/bin/python3
RAW=$OUT/seq.jsonl
T=${SECONDS_EACH:-12}
[ "${QUICK:-0}" = 1 ] && T=2
: > "$RAW"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f target/bench.cp ]; then
  echo "== build (bench profile)"
  ./mvnw -q -B -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
fi
CP="target/test-classes:target/classes:$(cat target/bench.cp)"
JAVA=(java -XX:+UseParallelGC -Xms1g -Xmx4g -cp "$CP" io.paramlab.bench.SeqBench)

paramlab() { local t=$1; shift; (if [ "$t" = 1 ]; then export OPENBLAS_NUM_THREADS=1; fi; "${JAVA[@]}" "$@" 2>/dev/null) | tail -1 | tee -a "$RAW"; }
# One thread means one on both sides: torch.set_num_threads(1) does not bound OpenBLAS's own threads, which
# Debian's torch uses for Linear, mm and the LSTM's products (see bench/cnn.sh).
pytorch() { local t=$1; shift; (if [ "$t" = 1 ]; then export OPENBLAS_NUM_THREADS=1; fi; $PY bench/pytorch_seq.py "$@" --threads "$t") | tee -a "$RAW"; }
CORES=$(nproc)

echo "== uptime: $(uptime)" | tee -a "$OUT/seq-load.txt"
for m in lstm_lm transformer; do
  for t in 1 "$CORES"; do
    paramlab "$t" time $m "$T"
    pytorch "$t" time $m "$T"
  done
done

if [ "${SKIP_JOB:-0}" != 1 ]; then
  echo "== character-level LSTM job over HTTP beside PyTorch's loop (one thread each)"
  PORT=${PORT:-18392}
  DATA=$(mktemp -d)
  [ -n "$(ls target/paramlab-*.jar 2>/dev/null)" ] || ./mvnw -q -B -DskipTests package
  OPENBLAS_NUM_THREADS=1 java -jar "$(ls target/paramlab-*.jar | head -1)" --server.port="$PORT" --paramlab.data-dir="$DATA" \
    --spring.main.banner-mode=off > "$DATA/service.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$DATA"' EXIT
  for _ in $(seq 600); do curl -s -o /dev/null "http://localhost:$PORT/api/v1/models" && break; sleep 0.3; done
  OPENBLAS_NUM_THREADS=1 $PY bench/pytorch_seq.py job --url "http://localhost:$PORT" --runs "${RUNS:-3}" --threads 1 | tee -a "$RAW"
fi
echo "== uptime: $(uptime)" | tee -a "$OUT/seq-load.txt"

$PY bench/seq_report.py "$RAW" | tee "$OUT/seq.md"
