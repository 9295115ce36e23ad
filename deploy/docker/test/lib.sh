# shellcheck shell=bash
# Shared by the container tests (sourced, from the repository root): the
# Docker client, compose for the test project, HTTP and wait helpers.
# .ci/container.sh provides what they need: DOCKER_HOST (a running engine),
# DOCKER_CONFIG (with the compose plugin) and the images.
docker=/usr/bin/docker
: "${PROJECT:=ratesci}"
COMPOSE=(-f compose.yaml)

dc() { "$docker" compose -p "$PROJECT" "${COMPOSE[@]}" "$@"; }
say() { echo "   $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# Takes the test project down with its volumes (nothing to take down is fine).
down() { dc down -v --remove-orphans >/dev/null 2>&1 || true; }

# For the compose tests: a scratch directory, $work, and on exit the load
# stopped (if one runs), the test project taken down and $work removed.
use_work_dir() {
  work=$(mktemp -d)
  trap '[[ -z ${LOAD_PID:-} ]] || kill "$LOAD_PID" 2>/dev/null || true; down; rm -rf "$work"' EXIT
}

# `up --wait` of the test project (logs shown when it fails), timed.
up() {
  local t0; t0=$(date +%s)
  if ! dc up --wait --wait-timeout 300 --no-build --quiet-pull >"$work/up.log" 2>&1; then
    cat "$work/up.log" >&2
    dc logs --no-color --tail 40 >&2 || true
    fail "docker compose up --wait"
  fi
  say "up --wait: $(($(date +%s) - t0)) s"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# GET URL: the body on stdout; fails unless the answer is 200.
get() { curl -fsS --max-time 10 "$1"; }

# The HTTP status of GET URL (000 when nothing answers).
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true; }

# Evaluates a Python expression on the JSON document read from stdin (`d`).
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# wait_for SECONDS WHAT COMMAND...: runs COMMAND until it succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local until=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) < until)) || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.5
  done
}

# The database user the api says it logs in as.
readyz_user() { get "$1/readyz" | json 'd["credentials"]["user"]'; }

healthy() { [[ $("$docker" inspect -f '{{.State.Health.Status}}' "$1") == healthy ]]; }

# Starts load.py in the background: start_load BASE STOP_FILE OUT_FILE PATH...
start_load() {
  local base=$1 stop=$2 out=$3; shift 3
  rm -f "$stop"
  local paths=()
  for p in "$@"; do paths+=(--path "$p"); done
  python3 deploy/docker/test/load.py --base "$base" --stop-file "$stop" "${paths[@]}" >"$out" &
  LOAD_PID=$!
}

# Stops it and fails unless every request succeeded: stop_load STOP_FILE OUT_FILE WHAT
stop_load() {
  touch "$1"
  wait "$LOAD_PID" || { cat "$2" >&2; fail "$3: requests failed"; }
  say "$3: $(cat "$2")"
}

# Every path the load asks for: the greeting, readiness, and a /rates query.
# shellcheck disable=SC2034 # used by the scripts that source this file
LOAD_PATHS=(/ /readyz '/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL'
  '/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=china_main&dest_code=northern_europe')
