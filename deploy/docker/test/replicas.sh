#!/usr/bin/env bash
# Two api replicas behind the HAProxy container (compose.proxy.yaml over
# compose.yaml), restarted one after the other under load: 0 failed requests.
# Needs APP_IMAGE, POSTGRES_IMAGE and PROXY_IMAGE built.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/docker/test/lib.sh
: "${APP_IMAGE:?}" "${POSTGRES_IMAGE:?}" "${PROXY_IMAGE:?}"
PROJECT=ratesci-replicas
COMPOSE=(-f compose.yaml -f deploy/docker/compose.proxy.yaml)
PROXY_PORT=$(free_port)
export APP_IMAGE POSTGRES_IMAGE PROXY_IMAGE PROXY_PORT SEED_COMMAND=demo
base=http://127.0.0.1:$PROXY_PORT
use_work_dir
down   # what an interrupted run left
(umask 077 && deploy/docker/secrets.sh >/dev/null)

echo "-- up --wait: two api replicas behind the proxy"
up
mapfile -t replicas < <(dc ps -q api)
((${#replicas[@]} == 2)) || fail "expected 2 api replicas, found ${#replicas[@]}"
say "replicas: ${replicas[0]:0:12} ${replicas[1]:0:12}"
get "$base/" | grep -qx '{"message":"Hello world!"}' || fail "GET / through the proxy"

echo "-- restart one replica after the other under load"
# Clients of an API ask for data, not for /readyz (a draining replica
# answers 503 there on purpose).
start_load "$base" "$work/stop" "$work/load.json" / \
  '/rates?date_from=2024-01-01&date_to=2024-01-31&origin=china_main&destination=northern_europe'
sleep 2
for cid in "${replicas[@]}"; do
  t0=$(date +%s)
  "$docker" restart "$cid" >/dev/null
  wait_for 120 "replica $cid to be healthy again" healthy "$cid"
  # HAProxy takes a replica back after 2 good checks, 1 s apart.
  sleep 3
  say "replica ${cid:0:12} restarted and back in $(($(date +%s) - t0)) s"
done
sleep 2
stop_load "$work/stop" "$work/load.json" "load through the proxy during the restarts"
