#!/usr/bin/env bash
# The all-in-one demo image: `docker run -p 3000:3000 IMAGE` alone serves the
# demo data (embedded PostgreSQL inside), becomes healthy, and stops cleanly.
# Needs DEMO_IMAGE built (Dockerfile target all-in-one).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/docker/test/lib.sh
: "${DEMO_IMAGE:?}"
name=ratesci-demo
port=$(free_port)
cleanup() {
  local rc=$?
  ((rc == 0)) || "$docker" logs --tail 40 "$name" >&2 || true
  "$docker" rm -f -v "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$docker" rm -f -v "$name" >/dev/null 2>&1 || true

t0=$(date +%s)
"$docker" run -d --name "$name" -p "127.0.0.1:$port:3000" "$DEMO_IMAGE" >/dev/null
wait_for 180 "the all-in-one container to be healthy" healthy "$name"
say "healthy after $(($(date +%s) - t0)) s"
days=$(get "http://127.0.0.1:$port/rates?date_from=2024-01-01&date_to=2024-01-03&origin=china_main&destination=northern_europe" \
  | json 'sum(1 for r in d["rates"] if r["count"] > 0)')
[[ $days == 3 ]] || fail "demo data: $days of 3 days have prices"
say "demo data served: 3 days china_main -> northern_europe"
"$docker" stop "$name" >/dev/null
code=$("$docker" inspect -f '{{.State.ExitCode}}' "$name")
[[ $code == 0 ]] || fail "exit code $code after docker stop"
say "docker stop: exit 0"
