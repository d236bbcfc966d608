#!/usr/bin/env bash
# Spectra of resnet18-sized weights and of a 4096 x 4096 layer: paramlab's whole computation (JMH
# SpectraBenchmark: LAPACK dgesdd through netlib, the fit, the esd) beside numpy.linalg.svd(compute_uv=False)
# of the same shapes, in one sitting. A 4096² SVD takes a while: each side runs it a few times only.
# Usage: bench/spectra.sh   (OPENBLAS_NUM_THREADS applies to both sides)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/results; mkdir -p "$OUT"
./mvnw -q -Pbench -DskipTests test-compile exec:exec \
  -Djmh.args="SpectraBenchmark -wi 1 -i 1 -rf json -rff $OUT/spectra-jmh.json" | grep -E '^(Benchmark|SpectraBenchmark|LAPACK)' || true
/usr/bin/python3 bench/spectra_numpy.py --repeat 1 --json "$OUT/spectra-numpy.json"
/usr/bin/python3 - "$OUT/spectra-jmh.json" "$OUT/spectra-numpy.json" <<'PY'
import json, sys
jmh = {r["params"]["weights"]: r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
np_ms = json.load(open(sys.argv[2]))
print("| weights | paramlab spectra | numpy svd | ratio |\n|---|---|---|---|")
for k in ("resnet18", "dense4096"):
    print(f"| {k} | {jmh[k]:.0f} ms | {np_ms[k]:.0f} ms | {jmh[k] / np_ms[k]:.2f}x |")
PY
