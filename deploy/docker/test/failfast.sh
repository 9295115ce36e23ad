#!/usr/bin/env bash
# A missing or unreadable database secret fails fast, with a message that
# names it, instead of a stack that hangs or falls back to something else:
#   - compose refuses to start a stack whose secret file is absent;
#   - the image (external database mode) exits at once when its password
#     file is missing, or when nothing names a database at all;
#   - a secret file the nonroot user cannot read (0600, owned by root: the
#     classic failure of file secrets with non-root images) is reported as
#     such; the same file at 0644 is read.
# Needs APP_IMAGE and POSTGRES_IMAGE built.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/docker/test/lib.sh
: "${APP_IMAGE:?}" "${POSTGRES_IMAGE:?}"
export APP_IMAGE POSTGRES_IMAGE API_PORT=0 SEED_DIR=/nonexistent
PROJECT=ratesci-nosecret
use_work_dir
COMPOSE=(-f "$work/compose.yaml")

# expect_failure SECONDS MESSAGE_REGEX WHAT COMMAND...: COMMAND must fail
# within SECONDS, saying MESSAGE_REGEX.
expect_failure() {
  local seconds=$1 pattern=$2 what=$3; shift 3
  local t0 rc=0; t0=$(date +%s%N)
  timeout 60 "$@" >"$work/out" 2>&1 || rc=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  ((rc != 0)) || fail "$what: succeeded"
  ((rc != 124)) || fail "$what: still running after 60 s"
  ((ms < seconds * 1000)) || fail "$what: took ${ms} ms to fail"
  grep -Eq "$pattern" "$work/out" || { cat "$work/out" >&2; fail "$what: the message does not match /$pattern/"; }
  say "$what: exit $rc after ${ms} ms: $(grep -Em1 "$pattern" "$work/out" | cut -c1-200)"
}

echo "-- compose, secret file absent"
cp compose.yaml "$work/compose.yaml"   # a project directory without deploy/docker/secrets/
expect_failure 30 'deploy/docker/secrets/(postgres|owner)_password' "up without secrets" \
  "$docker" compose -p "$PROJECT" "${COMPOSE[@]}" up --wait --no-build

echo "-- the image, external database mode"
run=("$docker" run --rm --network none)
expect_failure 10 '/run/secrets/db_password' "password file missing" \
  "${run[@]}" -e RATES_DB_HOST=db -e RATES_DB_USER=rates_api_a -e RATES_DB_PASSWORD_FILE=/run/secrets/db_password "$APP_IMAGE"
expect_failure 10 'RATES_DB_|database' "no database configured" "${run[@]}" "$APP_IMAGE"

echo "-- a secret file the nonroot user cannot read"
printf 'not-a-real-password\n' >"$work/db_password"
chmod 0600 "$work/db_password"
expect_failure 10 '[Pp]ermission denied' "0600 root-owned secret" \
  "${run[@]}" -e RATES_DB_HOST=db -e RATES_DB_USER=rates_api_a -e RATES_DB_PASSWORD_FILE=/run/secrets/db_password \
  -v "$work/db_password:/run/secrets/db_password:ro" "$APP_IMAGE"
chmod 0644 "$work/db_password"
timeout 10 "${run[@]}" -e RATES_DB_HOST=db -e RATES_DB_USER=rates_api_a \
  -e RATES_DB_PASSWORD_FILE=/run/secrets/db_password -v "$work/db_password:/run/secrets/db_password:ro" \
  "$APP_IMAGE" >"$work/out" 2>&1 || true
if grep -Eq '[Pp]ermission denied' "$work/out"; then fail "a 0644 secret file is not readable by uid 65532"; fi
say "0644: read (start-up then fails on the unreachable database, as it should here)"
