#!/usr/bin/env bash
# Convolutional networks side by side with PyTorch 1.13, in one sitting (issue #19, "Speed"):
# resnet18 and mobilenet_v2 forward and forward+backward (built from the zoo cases' specs at the engine
# level: bench's CnnBench; torchvision's models: bench/pytorch_cnn.py), one thread and both cores; an
# sgemm for the machine's peak; the peak memory of resnet18's training forward+backward at batch 8,
# 224x224; and the LeNet digits job over HTTP beside PyTorch's loop. Each measurement is its own
# process and the two sides alternate, so that a busy machine disturbs both alike: read the ratios.
# Writes bench/results/cnn.jsonl (raw) and bench/results/cnn.md (the table).
#   apt-get install -y python3-torch python3-torchvision python3-sklearn libopenblas0-pthread
# Options (environment): SECONDS_EACH (default 12) per time measurement; QUICK=1 (smoke test);
# SKIP_DIGITS=1; SKIP_MEMORY=1; SKIP_BUILD=1 (target/ already built with -Pbench).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results
mkdir -p "$OUT"
PY=/usr/bin/python3
RAW=$OUT/cnn.jsonl
T=${SECONDS_EACH:-12}
[ "${QUICK:-0}" = 1 ] && T=2
: > "$RAW"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f target/bench.cp ]; then
  echo "== build (bench profile)"
  ./mvnw -q -B -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
fi
CP="target/test-classes:target/classes:$(cat target/bench.cp)"
JAVA=(java -XX:+UseParallelGC -Xms1g -Xmx6g -cp "$CP" io.paramlab.bench.CnnBench)

# paramlab THREADS ARGS... / pytorch THREADS ARGS...: one measurement, its JSON line appended to $RAW
paramlab() { local t=$1; shift; (if [ "$t" = 1 ]; then export OPENBLAS_NUM_THREADS=1; fi; "${JAVA[@]}" "$@" 2>/dev/null) | tail -1 | tee -a "$RAW"; }
# One thread means one on both sides: torch.set_num_threads(1) bounds oneDNN's and ATen's OpenMP threads
# but not OpenBLAS's own (Debian's torch calls OpenBLAS for torch.mm, Linear and the convolutions that
# oneDNN does not take, e.g. 1x1 stride-1 ones under batch 16), which would otherwise run a second
# thread whose CPU time the calling thread's does not count.
pytorch() { local t=$1; shift; (if [ "$t" = 1 ]; then export OPENBLAS_NUM_THREADS=1; fi; $PY bench/pytorch_cnn.py "$@" --threads "$t") | tee -a "$RAW"; }
CORES=$(nproc)

echo "== sgemm 1024^3 (the peak), then the models; paramlab and PyTorch alternate"
for t in 1 "$CORES"; do
  paramlab "$t" sgemm 1024 "$T"
  pytorch "$t" sgemm 1024 "$T"
done
for m in "resnet18 8 64" "resnet18 2 224" "mobilenet_v2 8 64"; do
  $PY bench/pytorch_cnn.py flops $m | tee -a "$RAW"
  for t in 1 "$CORES"; do
    paramlab "$t" time $m "$T"
    pytorch "$t" time $m "$T"
  done
done

if [ "${SKIP_MEMORY:-0}" != 1 ]; then
  echo "== peak memory: resnet18, training forward+backward, batch 8, 224x224, one thread"
  # paramlab: the heap after a full GC at rest, after the forward (the graph alive) and after the
  # backward; and the smallest -Xmx (64 MB steps above the live size after the forward) with which
  # the forward+backward completes, which bounds the live peak from above.
  OPENBLAS_NUM_THREADS=1 java -XX:+UseSerialGC -Xmx6g -cp "$CP" io.paramlab.bench.CnnBench memory resnet18 8 224 2>/dev/null | tail -1 | tee -a "$RAW"
  pytorch 1 memory resnet18 8 224
  fwd=$(tail -2 "$RAW" | head -1 | $PY -c 'import json,sys; print(int(json.load(sys.stdin)["after_forward_mb"]))')
  for mb in $(seq $((fwd / 64 * 64 + 64)) 64 $((fwd * 3))); do
    if OPENBLAS_NUM_THREADS=1 java -XX:+UseSerialGC -Xmx${mb}m -cp "$CP" io.paramlab.bench.CnnBench memory resnet18 8 224 >/dev/null 2>&1; then
      echo "{\"side\": \"paramlab\", \"model\": \"resnet18\", \"batch\": 8, \"size\": 224, \"min_xmx_mb\": $mb}" | tee -a "$RAW"
      break
    fi
  done
fi

if [ "${SKIP_DIGITS:-0}" != 1 ]; then
  echo "== LeNet digits job over HTTP beside PyTorch's loop"
  PORT=${PORT:-18391} bench/run-digits.sh --model lenet --runs 3 | tee "$OUT/digits-lenet.txt"
fi

$PY bench/cnn_report.py "$RAW" | tee "$OUT/cnn.md"
