#!/usr/bin/env bash
# The Python client's tests: pytest with real PyTorch against the jar `./mvnw package` built (the
# tests start it on a free port with its data in a temporary folder). `./mvnw verify` runs this in
# its integration-test phase. Without python3, torch, pytest, requests or tqdm it prints why and
# skips (exit 0), unless PARAMLAB_PYTHON_TESTS=required (CI), where a missing one fails.
# Extra arguments go to pytest (e.g. `clients/python/run-tests.sh -k chapter`).
set -uo pipefail
cd "$(dirname "$0")"

# PARAMLAB_PYTHON, else the first of python3 and Debian's /usr/bin/python3 that has torch.
py=${PARAMLAB_PYTHON:-}
if [ -z "$py" ]; then
  py=python3
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import torch' >/dev/null 2>&1; then
      py=$candidate
      break
    fi
  done
fi
skip() {
  if [ "${PARAMLAB_PYTHON_TESTS:-}" = required ]; then
    echo "[paramlab-python] FAILED: $1" >&2
    exit 1
  fi
  echo "[paramlab-python] SKIPPED the Python client tests: $1"
  exit 0
}

command -v "$py" >/dev/null 2>&1 || skip "no $py on the PATH"
missing=$("$py" - <<'PY' 2>/dev/null
import importlib.util
print(" ".join(m for m in ("torch", "pytest", "requests", "tqdm") if importlib.util.find_spec(m) is None))
PY
) || skip "$py does not run"
[ -z "$missing" ] || skip "$py lacks: $missing (Debian: apt-get install python3-torch python3-pytest python3-requests python3-tqdm)"
ls ../../target/paramlab-*.jar >/dev/null 2>&1 || [ -n "${PARAMLAB_URL:-}" ] || skip "no target/paramlab-*.jar (run ./mvnw package first)"

echo "[paramlab-python] pytest with $("$py" -c 'import torch; print("torch", torch.__version__)')"
PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}" exec "$py" -m pytest -q -rs -p no:cacheprovider tests "$@"
