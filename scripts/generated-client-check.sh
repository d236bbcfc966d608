#!/usr/bin/env bash
# Generates a Python client from the running service's /v3/api-docs with openapi-generator and runs
# the README's walkthrough through it (scripts/generated_client_walkthrough.py). Not part of verify.
#
#   scripts/generated-client-check.sh                  # starts the service on port 18080, stops it after
#   PARAMLAB_URL=http://localhost:8080 scripts/generated-client-check.sh   # against a service already running
#
# Needs Java 17, python3 with pydantic 2, urllib3, python-dateutil and typing_extensions
# (Debian: apt-get install python3-pydantic python3-urllib3 python3-dateutil python3-typing-extensions).
# The generator's jar comes from Maven Central into tools/openapi-generator (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
GENERATOR_VERSION=7.25.0
jar=tools/openapi-generator/openapi-generator-cli-$GENERATOR_VERSION.jar
out=target/python-client

python3 -c 'import pydantic, urllib3, dateutil, typing_extensions' 2>/dev/null || {
  echo "python3 lacks pydantic, urllib3, python-dateutil or typing_extensions (see the header of $0)" >&2; exit 1; }
[ -f "$jar" ] || ./mvnw -q dependency:copy -Dartifact=org.openapitools:openapi-generator-cli:$GENERATOR_VERSION \
  -DoutputDirectory=tools/openapi-generator

service_pid=
stop() { [ -z "$service_pid" ] || kill -- -"$service_pid" 2>/dev/null || true; }
trap stop EXIT
url=${PARAMLAB_URL:-}
if [ -z "$url" ]; then
  port=${PORT:-18080}
  url=http://localhost:$port
  mkdir -p target
  setsid env PORT="$port" ./mvnw -q spring-boot:run > target/generated-client-service.log 2>&1 &
  service_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "$url/actuator/health/readiness" > /dev/null && break
    kill -0 "$service_pid" 2>/dev/null || { cat target/generated-client-service.log >&2; exit 1; }
    sleep 1
  done
fi
curl -sf "$url/v3/api-docs" -o target/openapi-live.json

rm -rf "$out"
java -jar "$jar" generate -i target/openapi-live.json -g python -o "$out" --package-name paramlab_client \
  > target/generated-client-generator.log 2>&1 || { cat target/generated-client-generator.log >&2; exit 1; }
grep -E 'ERROR' target/generated-client-generator.log >&2 || true
PYTHONPATH=$out python3 scripts/generated_client_walkthrough.py "$url"
