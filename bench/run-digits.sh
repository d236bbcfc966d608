#!/usr/bin/env bash
# The digits side by side (bench/digits_job.py) against a service started here on a fresh data folder.
# Needs /usr/bin/python3 with torch and scikit-learn (apt-get install -y python3-torch python3-sklearn).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18080}
DATA=$(mktemp -d)
[ -n "$(ls target/paramlab-*.jar 2>/dev/null)" ] || ./mvnw -q -DskipTests package
java -jar "$(ls target/paramlab-*.jar | head -1)" --server.port="$PORT" --paramlab.data-dir="$DATA" --spring.main.banner-mode=off \
  --logging.level.io.paramlab.jobs.JobRunner=debug > "$DATA/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 600); do curl -s -o /dev/null "http://localhost:$PORT/api/v1/models" && break; sleep 0.3; done
/usr/bin/python3 bench/digits_job.py --url "http://localhost:$PORT" "$@"
grep -o "[0-9]* steps in .*" "$DATA/service.log" || true
