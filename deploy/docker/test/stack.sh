#!/usr/bin/env bash
# The compose stack end to end, on the Xeneta 2021 dump:
#   secrets made under umask 077 are still readable by the containers' users;
#   `up --wait`; `/`, `/readyz` and the CNGGZ -> EETLL answer exact;
#   the api runs as 65532, read-only root, no capability, as an API login role;
#   0 failed requests while `db rotate` runs 3 times, each reaching the api;
#   a new rates_owner password (file, then bootstrap) works for migrate;
#   `docker stop` on the api: /readyz drains, exit 0 within stop_grace_period;
#   `down` then `up --wait` keeps the data (the volume), without a reseed;
#   the upgrade order (`run migrate`, then `up --no-deps api`) works;
#   no secret in docker inspect, compose environment values, logs, image
#   history or layers.
# Needs APP_IMAGE and POSTGRES_IMAGE built, and ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/../../.."
source deploy/docker/test/lib.sh
: "${APP_IMAGE:?}" "${POSTGRES_IMAGE:?}"
API_PORT=$(free_port)
SEED_DIR=$(cd ../shared/data && pwd)
SEED_COMMAND="import /seed/xeneta-rates-2021.sql"
export APP_IMAGE POSTGRES_IMAGE API_PORT SEED_DIR SEED_COMMAND
base=http://127.0.0.1:$API_PORT
use_work_dir
down   # what an interrupted run left

echo "-- secrets: made under umask 077, readable by the containers' users"
(umask 077 && deploy/docker/secrets.sh >/dev/null)
[[ $(stat -c %a deploy/docker/secrets) == 700 ]] || fail "deploy/docker/secrets/ is not 0700"
for f in deploy/docker/secrets/*; do
  [[ $(stat -c %a "$f") == 644 ]] || fail "$f is not 0644: uid 65532 and 999 could not read it"
done

echo "-- up --wait (db, bootstrap, rotate, migrate, seed from the Xeneta 2021 dump, api)"
up
get "$base/" | grep -qx '{"message":"Hello world!"}' || fail "GET / is not the greeting"
readyz=$(get "$base/readyz")
say "/readyz: $readyz"
[[ $(json 'd["status"]' <<<"$readyz") == ready ]] || fail "/readyz is not ready"
user=$(json 'd["credentials"]["user"]' <<<"$readyz")
[[ $user == rates_api_a || $user == rates_api_b ]] || fail "/readyz user is $user, not an API login role"
python3 deploy/docker/test/check_answer.py "$base" | sed 's/^/   /'

echo "-- the api process: uid 65532, read-only root, no capability, no new privileges"
api=$(dc ps -q api)
pid=$("$docker" inspect -f '{{.State.Pid}}' "$api")
grep -Eq '^Uid:\s+65532\s+65532\s+65532\s+65532$' "/proc/$pid/status" || fail "api does not run as uid 65532: $(grep ^Uid "/proc/$pid/status")"
grep -Eq '^Gid:\s+65532\s' "/proc/$pid/status" || fail "api does not run as gid 65532"
grep -Eq '^CapEff:\s+0+$' "/proc/$pid/status" || fail "api keeps capabilities: $(grep ^CapEff "/proc/$pid/status")"
grep -Eq '^NoNewPrivs:\s+1$' "/proc/$pid/status" || fail "api may gain privileges"
[[ $("$docker" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$api") == true ]] || fail "api root filesystem is writable"
awk '$5 == "/" { split($6, o, ","); for (i in o) if (o[i] == "ro") found = 1 } END { exit !found }' \
  "/proc/$pid/mountinfo" || fail "the api's / is not mounted read-only"
say "uid/gid 65532, CapEff 0, NoNewPrivs 1, / read-only"

echo "-- 3 rotations under load: 0 failed requests, each reaching the running api"
start_load "$base" "$work/stop" "$work/load.json" "${LOAD_PATHS[@]}"
sleep 2
user_is_not() { [[ $(readyz_user "$base") != "$1" ]]; }
for i in 1 2 3; do
  before=$(readyz_user "$base")
  dc run --rm --no-deps rotate >"$work/rotate.log" 2>&1 || { cat "$work/rotate.log" >&2; fail "db rotate"; }
  wait_for 30 "the api to switch from $before after rotation $i" user_is_not "$before"
  say "rotation $i: $before -> $(readyz_user "$base")"
done
sleep 2
stop_load "$work/stop" "$work/load.json" "load during rotations"

echo "-- rotating rates_owner's password: a new file, bootstrap, migrate logs in with it"
head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >deploy/docker/secrets/owner_password
for job in bootstrap migrate; do
  dc run --rm --no-deps "$job" >"$work/$job.log" 2>&1 || { cat "$work/$job.log" >&2; fail "$job after the owner's new password"; }
done
say "bootstrap set it, migrate logged in with it"

echo "-- docker stop on the api: drains, then exits 0 within stop_grace_period"
grace=$("$docker" inspect -f '{{.Config.StopTimeout}}' "$api")
t0=$(date +%s%N)
"$docker" stop "$api" >/dev/null &
stopper=$!
draining() { [[ $(status_of "$base/readyz") == 503 ]] && [[ $(status_of "$base/") == 200 ]]; }
wait_for 2 "/readyz 503 while / still answers (the shutdown delay)" draining
wait "$stopper"
ms=$((($(date +%s%N) - t0) / 1000000))
code=$("$docker" inspect -f '{{.State.ExitCode}}' "$api")
[[ $code == 0 ]] || fail "api exited $code"
((ms < grace * 1000)) || fail "api took ${ms} ms to stop, stop_grace_period is ${grace}s"
say "drained, exit 0 after ${ms} ms (stop_grace_period ${grace}s)"
up

echo "-- down, then up --wait without a reseed: the data is kept"
sql() { dc exec -T db psql -U postgres -d rates -Atc "$1"; }
system_id=$(sql "SELECT system_identifier FROM pg_control_system()")
audit_rows=$(sql "SELECT count(*) FROM audit_log")
# What `down` removes is searched for secrets below: logs and inspect of the
# containers so far (bootstrap, rotations, the load's access log).
dc logs --no-color >"$work/logs-before-down.txt" 2>&1
mapfile -t containers < <("$docker" ps -aq --filter "label=com.docker.compose.project=$PROJECT")
"$docker" inspect "${containers[@]}" >"$work/inspect-before-down.json"
dc down >/dev/null 2>&1
SEED_COMMAND=migrate up
[[ $(sql "SELECT system_identifier FROM pg_control_system()") == "$system_id" ]] || fail "a new database cluster after down/up"
(($(sql "SELECT count(*) FROM audit_log") > audit_rows)) || fail "audit_log lost rows across down/up"
python3 deploy/docker/test/check_answer.py "$base" | sed 's/^/   /'
say "same cluster ($system_id), audit_log kept ($audit_rows rows before)"

echo "-- upgrade order: migrate first, then the api alone"
dc run --rm --no-deps migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; fail "migrate"; }
dc up --wait --wait-timeout 120 --no-build --no-deps api >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "up --no-deps api"; }
get "$base/readyz" >/dev/null || fail "/readyz after the api's restart"
say "migrate, then up --no-deps api: ready"

echo "-- no secret in docker inspect, environment values, logs, image history or layers"
secrets=("$(cat deploy/docker/secrets/postgres_password)" "$(cat deploy/docker/secrets/owner_password)")
secrets+=("$("$docker" run --rm --user 65532 -v "${PROJECT}_api-login:/login:ro" --entrypoint cat "$POSTGRES_IMAGE" /login/password)")
printf '%s\n' "${secrets[@]}" >"$work/patterns"
for s in "${secrets[@]}"; do ((${#s} >= 16)) || fail "a secret is shorter than 16 characters"; done
# The search itself must work: it finds each secret where it is.
grep -qF -f "$work/patterns" deploy/docker/secrets/owner_password || fail "the secret search finds nothing"
mapfile -t containers < <("$docker" ps -aq --filter "label=com.docker.compose.project=$PROJECT")
"$docker" inspect "${containers[@]}" >"$work/inspect.json"
"$docker" image inspect "$APP_IMAGE" "$POSTGRES_IMAGE" >>"$work/inspect.json"
dc config >"$work/config.yaml"
dc logs --no-color >"$work/logs.txt" 2>&1
"$docker" history --no-trunc "$APP_IMAGE" >"$work/history.txt"
"$docker" save "$APP_IMAGE" >"$work/image.tar"
for f in inspect-before-down.json logs-before-down.txt inspect.json config.yaml logs.txt history.txt image.tar; do
  if grep -aqF -f "$work/patterns" "$work/$f"; then fail "a secret appears in $f"; fi
done
say "searched $(cat "$work"/logs*.txt | wc -l) log lines, $(($(stat -c %s "$work/image.tar") / 1048576)) MiB of image"
