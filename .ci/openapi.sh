#!/usr/bin/env bash
# The API reference against a running server holding the Xeneta 2021 dump:
# the served /openapi.json against the OpenAPI specification
# (openapi-spec-validator), then Schemathesis in positive mode (every
# schema-valid request accepted, no 5xx, every answer as documented) and in
# negative mode (invalid requests rejected).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_shared_data
python_tools deploy/checks/requirements-openapi.txt
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || apt_install postgresql

step "shellcheck and the hook's tests"
shellcheck -x --source-path=SCRIPTDIR .ci/openapi.sh .ci/browser.sh
python3 -m pytest -q -p no:cacheprovider deploy/checks/tests/test_schemathesis_hooks.py

step "cargo build --bin rates"
cargo build --locked --bin rates

# A private PostgreSQL with the dump, and a server on a free port; both
# stopped (by pid) and removed on exit.
work=$(mktemp -d "${TMPDIR:-/tmp}/rates-openapi.XXXXXX")
chmod 755 "$work" # the embedded server runs as an unprivileged user
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; fi
  rm -rf "$work"
}
on_exit cleanup
export RATES_EMBEDDED_DATA_DIR="$work/data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

step "rates import ../shared/data/xeneta-rates-2021.sql"
target/debug/rates import ../shared/data/xeneta-rates-2021.sql --log-filter warn
target/debug/rates serve --listen "127.0.0.1:$port" --embedded-demo-data false \
  --access-log false --log-filter warn >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { echo "error: the server never became ready" >&2; cat "$work/serve.log"; exit 1; }

step "openapi-spec-validator $base/openapi.json"
curl -fsS "$base/openapi.json" -o "$work/openapi.json"
openapi-spec-validator "$work/openapi.json"

export SCHEMATHESIS_HOOKS=deploy/checks/schemathesis_hooks.py
for mode in positive negative; do
  step "schemathesis run --mode $mode"
  schemathesis --config-file deploy/checks/schemathesis.toml run "$base/openapi.json" --mode "$mode" --checks all \
    --generation-database none --no-color
done
