#!/usr/bin/env bash
# Rust: formatting, lints, licences and sources, then the README's test
# command (`cargo test`), which starts its own PostgreSQL servers.
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
