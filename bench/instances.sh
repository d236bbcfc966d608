#!/usr/bin/env bash
# One instance against two on one PostgreSQL (README, Several instances): requests per second and p99 of
# a mixed read/write workload (bench/mixed.lua: 70% parameter reads, 20% eval forwards, 10% element
# writes over 8 models), in one sitting:
#   one      one instance, wrk -t2 -c8 against it
#   two      two instances, 4 models created on each; two wrk -t1 -c4 at once, one per instance, each
#            request on a random model of the 8 (half are forwarded to the other instance)
#   proxy    the same two behind nginx with deploy/nginx.conf's hash on the model id, wrk -t2 -c8
# A temporary PostgreSQL cluster (the Debian postgresql package, run as the postgres user) on PG_PORT.
# Needs: wrk, curl, jq, nginx (for proxy), postgresql. Options: RUN (seconds, 20), WARM (10).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/paramlab-0.1.0.jar
RUN=${RUN:-20}
WARM=${WARM:-10}
PG_PORT=${PG_PORT:-55432}
A=18101 B=18102 PROXY=18103
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
[ -f "$JAR" ] || ./mvnw -q -DskipTests package
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/pg" && chown postgres "$work/pg"
runuser -u postgres -- "$PG_BIN/initdb" -D "$work/pg" -U postgres >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/pg" -o "-p $PG_PORT -k $work/pg" -l "$work/pg/log" start >/dev/null
DB="jdbc:postgresql://localhost:$PG_PORT/postgres"

start() {   # start PORT: an instance on the database
  java -jar "$JAR" --server.port="$1" --spring.datasource.url="$DB" --spring.datasource.username=postgres \
    --paramlab.instance.url="http://localhost:$1" > "$work/instance-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -fs -o /dev/null "http://localhost:$1/actuator/health/readiness" && return; sleep 0.3; done
  echo "instance on $1 did not start" >&2; tail -20 "$work/instance-$1.log" >&2; exit 1
}

create() {   # create PORT: a 4-8-1 net in eval mode; prints its id
  local api="http://localhost:$1/api/v1" id
  id=$(curl -fsS "$api/models" -H 'Content-Type: application/json' -d '{"seed": 42, "model": {"type": "Sequential",
    "layers": [{"type": "Linear", "in_features": 4, "out_features": 8}, {"type": "ReLU"},
    {"type": "Linear", "in_features": 8, "out_features": 1}]}}' | jq -r .id)
  curl -fsS -o /dev/null -X PATCH "$api/models/$id" -H 'Content-Type: application/json' -d '{"training": false}'
  echo "$id"
}

load() {   # load LABEL THREADS CONNECTIONS URL: a warm-up, then the measured run
  wrk -t"$2" -c"$3" -d"${WARM}s" -s bench/mixed.lua "$4" >/dev/null
  echo "$1 $(wrk -t"$2" -c"$3" -d"${RUN}s" -s bench/mixed.lua "$4" | grep RESULT)"
}

echo "== one instance"
start $A
ids=()
for _ in 1 2 3 4 5 6 7 8; do ids+=("$(create $A)"); done
export MODELS
MODELS=$(IFS=,; echo "${ids[*]}")
load one 2 8 "http://localhost:$A/api/v1"

echo "== two instances (each request on a random model: half forwarded)"
start $B
ids=()
for _ in 1 2 3 4; do ids+=("$(create $A)" "$(create $B)"); done
MODELS=$(IFS=,; echo "${ids[*]}")
wrk -t1 -c4 -d"${WARM}s" -s bench/mixed.lua "http://localhost:$A/api/v1" >/dev/null &
warm=$!
wrk -t1 -c4 -d"${WARM}s" -s bench/mixed.lua "http://localhost:$B/api/v1" >/dev/null
wait $warm
wrk -t1 -c4 -d"${RUN}s" -s bench/mixed.lua "http://localhost:$A/api/v1" > "$work/two-a.txt" &
measured=$!
wrk -t1 -c4 -d"${RUN}s" -s bench/mixed.lua "http://localhost:$B/api/v1" > "$work/two-b.txt"
wait $measured
echo "two (to A) $(grep RESULT "$work/two-a.txt")"
echo "two (to B) $(grep RESULT "$work/two-b.txt")"

if command -v nginx >/dev/null; then
  echo "== two instances behind nginx (hash on the model id)"
  sed -e "s/server paramlab-1:8080/server 127.0.0.1:$A/" -e "s/server paramlab-2:8080/server 127.0.0.1:$B/" \
      -e "s/listen 80;/listen $PROXY;/" -e "s|^worker_processes auto;|worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;|" \
      deploy/nginx.conf > "$work/nginx.conf"
  sed -i "s|^http {|http { access_log off; client_body_temp_path $work; proxy_temp_path $work;|" "$work/nginx.conf"
  nginx -c "$work/nginx.conf"
  sleep 1
  load proxy 2 8 "http://localhost:$PROXY/api/v1"
fi
