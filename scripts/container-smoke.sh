#!/usr/bin/env bash
# Container smoke test, for a machine with a container engine (Docker or Podman) and jq:
# builds the image, starts docker-compose.yml, waits for the container's health check, runs the
# README walkthrough's main calls with curl, checks the answers, restarts the container and checks
# that the models are still there (the store's volume); then starts the team profile (PostgreSQL, two
# instances, nginx), checks that the instances act on one model as one service and that the survivor
# takes the model over when the other is killed, and tears everything down.
#   scripts/container-smoke.sh            (PARAMLAB_HOST_PORT=18080 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

export PARAMLAB_HOST_PORT="${PARAMLAB_HOST_PORT:-18080}"
export PARAMLAB_TEAM_HOST_PORT="${PARAMLAB_TEAM_HOST_PORT:-18090}"
PROJECT=paramlab-smoke
BASE="http://localhost:${PARAMLAB_HOST_PORT}"
API="$BASE/api/v1"
JSON='Content-Type: application/json'

die() { echo "container smoke: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is needed"
command -v jq >/dev/null || die "jq is needed"
command -v openssl >/dev/null || die "openssl is needed (the run's token)"
if command -v docker >/dev/null; then ENGINE=docker; elif command -v podman >/dev/null; then ENGINE=podman; else die "no docker or podman"; fi
if $ENGINE compose version >/dev/null 2>&1; then COMPOSE=("$ENGINE" compose)
elif command -v docker-compose >/dev/null; then COMPOSE=(docker-compose)
else die "no compose ($ENGINE compose or docker-compose)"; fi
# The image refuses to start without access control: an admin token made for this run, its hash handed to
# compose in an override file (the token itself stays in this shell), and every curl sends it.
TOKEN=$(openssl rand -hex 32)
OVERRIDE=$(mktemp)
HASH=$(printf %s "$TOKEN" | sha256sum | cut -c1-64)
{
  echo "services:"
  for service in paramlab paramlab-1 paramlab-2; do
    cat <<YAML
  $service:
    environment:
      PARAMLAB_SECURITY_TOKENS_0_NAME: smoke
      PARAMLAB_SECURITY_TOKENS_0_ROLE: admin
      PARAMLAB_SECURITY_TOKENS_0_SHA256: "$HASH"
YAML
  done
} > "$OVERRIDE"
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f docker-compose.yml -f "$OVERRIDE" "$@"; }
curl() { command curl -H "Authorization: Bearer $TOKEN" "$@"; }

passed=0
failed=0
# check NAME ACTUAL EXPECTED: compares the two strings and counts.
check() {
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1)); echo "ok   $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: got '$2', expected '$3'"
  fi
}

teardown() {
  if [ "$failed" -gt 0 ] || [ "${1:-}" = error ]; then compose logs --no-color --tail 100 || true; fi
  compose down --volumes --remove-orphans >/dev/null 2>&1 || true
  rm -f "$OVERRIDE"
}
trap 'teardown error' ERR
trap 'teardown' EXIT

echo "== build (the README's docker build) and start"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# Podman builds OCI images by default, which drop HEALTHCHECK; the Docker format keeps it.
format=(); [ "$ENGINE" = podman ] && format=(--format docker)
$ENGINE build ${format[@]+"${format[@]}"} --build-arg GIT_COMMIT="$revision" -t paramlab:local .
compose up -d --no-build

# wait_healthy WHAT [SERVICE]: waits for the container's own health check (readiness), counts it, stops the script if it fails.
wait_healthy() {
  local container health=starting
  container=$(compose ps -q "${2:-paramlab}")
  [ -n "$container" ] || die "the paramlab container did not start"
  for _ in $(seq 1 60); do
    health=$($ENGINE inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo missing)
    [ "$health" = healthy ] && break
    [ "$health" = unhealthy ] && break
    sleep 3
  done
  check "$1" "$health" "healthy"
  [ "$health" = healthy ] || exit 1
}

echo "== wait for the container's own health check (readiness)"
wait_healthy "container health"

echo "== operations"
check "liveness" "$(curl -fsS "$BASE/actuator/health/liveness" | jq -r .status)" "UP"
check "/ redirects to Swagger UI" "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/")" "302 $BASE/swagger-ui.html"
check "OpenAPI 3 document" "$(curl -fsS "$BASE/v3/api-docs" | jq -r '.openapi | startswith("3.")')" "true"
blas=$(curl -fsS "$BASE/actuator/info" | jq -r '.blas.implementation // empty')
check "BLAS in /actuator/info" "$([ -n "$blas" ] && echo present)" "present"
echo "     BLAS: $blas"

echo "== walkthrough: net"
NET=$(curl -fsS "$API/models" -H "$JSON" -d '{
  "name": "net",
  "model": {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 4, "out_features": 8},
    {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
check "create net" "$([ -n "$NET" ] && [ "$NET" != null ] && echo created)" "created"
check "net[2].state_dict() shapes" "$(curl -fsS "$API/models/$NET/state-dict?module=2" | jq -c 'map_values(.shape)')" '{"weight":[1,8],"bias":[1]}'
check "named_parameters()" "$(curl -fsS "$API/models/$NET/parameters" | jq -c '[.[] | [.name, .shape]]')" \
  '[["0.weight",[8,4]],["0.bias",[8]],["2.weight",[1,8]],["2.bias",[1]]]'

echo "== walkthrough: tied"
TIED=$(curl -fsS "$API/models" -H "$JSON" -d '{
  "name": "tied", "seed": 42,
  "shared": {"shared": {"type": "Linear", "in_features": 8, "out_features": 8}},
  "model": {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
    {"ref": "shared"}, {"type": "ReLU"},
    {"ref": "shared"}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
curl -fsS -X PATCH "$API/models/$TIED/parameters/2.weight" -H "$JSON" -d '{"index": [0, 0], "value": 100}' >/dev/null
check "write through 2.weight seen via 4.weight" \
  "$(curl -fsS "$API/models/$TIED/parameters/4.weight" | jq -c '[.data.data[0][0], .aliases]')" '[100,["2.weight"]]'
check "tied weight listed once" "$(curl -fsS "$API/models/$TIED/parameters" | jq -c '[.[].name]')" \
  '["0.weight","0.bias","2.weight","2.bias","6.weight","6.bias"]'

echo "== walkthrough: backward (PyTorch: loss 1.5237252712249756)"
loss=$(curl -fsS "$API/models/$TIED/backward" -H "$JSON" \
  -d '{"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], "loss": "sum"}' | jq .loss)
check "loss" "$(jq -n --argjson l "$loss" 'def abs: if . < 0 then -. else . end; ($l - 1.5237252712249756 | abs) < 1e-4')" "true"
# net[2].weight.grad[0], the sum over both uses of the shared layer (rtol 1e-4, atol 1e-5 as the conformance cases)
grad=$(curl -fsS "$API/models/$TIED/parameters/2.weight" | jq -c '.grad.data[0]')
check "summed gradient of the shared weight" "$(jq -n --argjson g "$grad" \
  'def abs: if . < 0 then -. else . end;
   [0.018673304,0.7420716,0.05832301,0,0,0,4.145763,0.030158648] as $e
   | [range(8)] | all(($g[.] - $e[.] | abs) <= 1e-5 + 1e-4 * ($e[.] | abs))')" "true"
check "zero-grad" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/models/$TIED/zero-grad")" "204"

echo "== metrics"
scrape=$(curl -fsS "$BASE/actuator/prometheus")
check "models gauge" "$(awk '/^paramlab_models_held/ {print $2}' <<<"$scrape")" "2.0"
check "request timer of POST /api/v1/models" \
  "$(grep -c 'http_server_requests_seconds_count{.*method="POST".*uri="/api/v1/models"' <<<"$scrape" || true)" "1"

echo "== the store: models survive docker compose restart (the volume paramlab-data at /data)"
net_before=$(curl -fsS "$API/models/$NET" | jq -c '[.name, .version]')
state_before=$(curl -fsS "$API/models/$NET/state-dict" | jq -c .)
tied_version=$(curl -fsS "$API/models/$TIED" | jq .version)
compose restart paramlab
wait_healthy "container health after restart"
check "net's name and version after restart" "$(curl -fsS "$API/models/$NET" | jq -c '[.name, .version]')" "$net_before"
check "net's state dict after restart" "$(curl -fsS "$API/models/$NET/state-dict" | jq -c .)" "$state_before"
check "tied write after restart" "$(curl -fsS "$API/models/$TIED/parameters/4.weight" | jq -c '[.data.data[0][0], .grad]')" '[100,null]'
check "tied version after restart" "$(curl -fsS "$API/models/$TIED" | jq .version)" "$tied_version"
check "data folder in the volume" "$(compose exec -T paramlab sh -c 'test -s /data/paramlab.db && echo present')" "present"

echo "== the team: PostgreSQL, two instances on it and nginx in front (profile team, README: Several instances)"
compose --profile team up -d --no-build postgres paramlab-1 paramlab-2 proxy
wait_healthy "paramlab-1 health" paramlab-1
wait_healthy "paramlab-2 health" paramlab-2
TEAM="http://localhost:${PARAMLAB_TEAM_HOST_PORT}/api/v1"
# on INSTANCE METHOD PATH [BODY]: a request to one instance directly, from inside its container
on() {
  compose exec -T -e T="$TOKEN" "$1" sh -c 'curl -fsS -X "$0" -H "Authorization: Bearer $T" -H "Content-Type: application/json" \
    ${2:+-d "$2"} "http://localhost:8080/api/v1$1"' "$2" "$3" "${4:-}"
}
for _ in $(seq 1 30); do curl -fsS -o /dev/null "$TEAM/models" && break; sleep 2; done
M=$(curl -fsS "$TEAM/models" -H "$JSON" -d '{"seed": 3, "model": {"type": "Sequential", "layers": [
    {"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"}, {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
check "create through the proxy" "$([ -n "$M" ] && [ "$M" != null ] && echo created)" "created"
on paramlab-1 PUT "/models/$M/optimizer" '{"type": "SGD", "lr": 0.5}' >/dev/null
on paramlab-1 POST "/models/$M/backward" '{"input": [[1, 2, 3, 4]], "target": [[1]], "loss": "mse"}' >/dev/null
check "a backward on one instance, its gradient on the other" \
  "$(on paramlab-2 GET "/models/$M/parameters/2.bias" | jq -r '.grad == null')" "false"
check "a step on the other" "$(on paramlab-2 POST "/models/$M/step" | jq -c .step_count)" "1"
check "one version on both" "$(on paramlab-1 GET "/models/$M" | jq .version)" "$(on paramlab-2 GET "/models/$M" | jq .version)"
check "a stale If-Match is refused across instances" "$(compose exec -T -e T="$TOKEN" paramlab-2 curl -s -o /dev/null -w '%{http_code}' \
  -X PATCH -H "Authorization: Bearer $T" -H 'If-Match: "1"' -H "Content-Type: application/json" -d '{"name": "x"}' \
  "http://localhost:8080/api/v1/models/$M")" "412"
version=$(on paramlab-2 GET "/models/$M" | jq .version)
compose kill paramlab-1 >/dev/null 2>&1   # SIGKILL: if it held the model, its lease expires within 10 s
taken=""
for _ in $(seq 1 30); do taken=$(on paramlab-2 GET "/models/$M" 2>/dev/null | jq .version) && [ -n "$taken" ] && break; sleep 1; done
check "the survivor takes the model over from the store" "$taken" "$version"

echo "container smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
