#!/usr/bin/env bash
# Rust: formatting, lints, licences and sources, then the README's test
# command (`cargo test`), which starts its own PostgreSQL servers, and its
# first command (`cargo run -- serve`).
source "$(dirname "$0")/lib.sh"
require_shared_data
export CI=true

# PostgreSQL server binaries (the tests start their own servers) and pgaudit
# for that server version (the audit test loads it).
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || apt_install postgresql
for bin in /usr/lib/postgresql/*/bin; do
  major=$(basename "$(dirname "$bin")")
  apt_install "postgresql-$major-pgaudit"
done

# Real components some tests start: nginx in front of two replicas, and a
# Prometheus that scrapes one (Debian's packages; no service is left running).
apt_install nginx-light prometheus

rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

step "cargo deny"
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny >/dev/null 2>&1
# Advisories need the advisory database from the network; the rest is offline.
cargo deny --log-level error check bans licenses sources

step "cargo test (the README's test command)"
cargo test --locked

# The README's first command as a newcomer runs it, through `cargo run` (whose
# environment differs from the tests'), in the debug build the tests made: a
# private PostgreSQL with demo data, then the README's example query.
step "cargo run -- serve (the README's first command): ready, and its example answers"
work=$(mktemp -d) && chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RATES_LISTEN="127.0.0.1:$port" RATES_EMBEDDED_DATA_DIR="$work/data" \
  setsid cargo run --locked --quiet -- serve >"$work/serve.log" 2>&1 &
serve=$!
on_exit "kill -TERM $serve 2>/dev/null; wait $serve; rm -rf '$work'"
for _ in $(seq 240); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$serve" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.5
done
answer=$(curl -fsS "http://127.0.0.1:$port/rates?date_from=2024-01-01&date_to=2024-01-03&origin=china_main&destination=northern_europe") ||
  { cat "$work/serve.log"; exit 1; }
python3 -c 'import json, sys; r = json.loads(sys.argv[1])["rates"]; assert len(r) == 3 and all(d["price"] for d in r), r' "$answer"
echo "   ${answer:0:100}..."
kill -TERM "$serve" && wait "$serve" || { echo "rates serve exited with $?"; cat "$work/serve.log"; exit 1; }
