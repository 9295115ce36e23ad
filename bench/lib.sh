# shellcheck shell=bash
# Shared by the benchmarks (sourced from the repository root): the release
# binary ($rates), a scratch directory ($work, removed on exit once the
# server has stopped), a free loopback port ($port, in RATES_LISTEN) and the
# server's start and stop.
cargo build --release --quiet
rates=target/release/rates
work=$(mktemp -d "${TMPDIR:-/tmp}/rates-$(basename "$0" .sh).XXXXXX")
chmod 755 "$work"
server=""
trap 'stop_server; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export RATES_LISTEN="127.0.0.1:$port"

# start_server LOG [NAME=VALUE...]: `rates serve` in the background with
# these settings, its stderr appended to LOG; returns once it is healthy.
start_server() {
  local log=$1; shift
  env "$@" "$rates" serve 2>>"$log" &
  server=$!
  until "$rates" healthcheck 2>/dev/null; do
    kill -0 "$server" 2>/dev/null || { echo "server died" >&2; cat "$log" >&2; exit 1; }
    sleep 0.05
  done
}

# SIGTERM: the server drains and stops its embedded PostgreSQL.
stop_server() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  server=""
}
