#!/usr/bin/env bash
# Observability kit (deploy/observability): promtool on the example config
# and the alert rules, the rules' unit tests (and that they catch mutated
# rules), the dashboard JSON, then a real `rates serve` (embedded database,
# demo data) is scraped after some traffic: `promtool check metrics` on that
# scrape, and every metric the dashboard and the rules query must be in it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# promtool comes with Debian's prometheus package (apt_install keeps its
# service from starting).
if ! dpkg -s prometheus >/dev/null 2>&1; then
  apt_install prometheus
  # Had an existing policy allowed it, stop the service the install started.
  pidfile=/run/prometheus/prometheus.pid
  if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "note: the package started the Prometheus service; stopping it"
    kill "$(cat "$pidfile")"
  fi
fi
python_tools deploy/checks/requirements-observability.txt

step "shellcheck"
shellcheck -x --source-path=SCRIPTDIR .ci/observability.sh

step "promtool check config (the example scrape config and its rule file)"
promtool check config deploy/observability/prometheus.yml

step "promtool check rules"
promtool check rules deploy/observability/alerts.yml

step "promtool test rules (synthetic series, boundaries included)"
promtool test rules deploy/observability/tests/alerts_test.yml

step "cargo build --bin rates"
cargo build --locked --bin rates

step "tests: mutated rules fail their unit tests; the metric-name check; the consistency rule"
python3 -m pytest -q -p no:cacheprovider deploy/checks/tests/test_alert_rules.py \
  deploy/checks/tests/test_observability_metrics.py deploy/checks/consistency_rules/test_observability.py

step "the dashboard JSON parses"
python3 -m json.tool deploy/observability/grafana-dashboard.json >/dev/null

# A real server: embedded PostgreSQL with the demo data, on a free port.
work=$(mktemp -d) data=$(mktemp -d)
on_exit rm -rf "$work" "$data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
step "rates serve on 127.0.0.1:$port (embedded)"
RATES_EMBEDDED_DATA_DIR=$data RATES_LISTEN=127.0.0.1:$port target/debug/rates serve >"$work/serve.log" 2>&1 &
server=$!
# SIGTERM: the server drains and stops its embedded PostgreSQL.
on_exit "kill $server 2>/dev/null; wait $server 2>/dev/null"
for _ in $(seq 120); do
  RATES_LISTEN=127.0.0.1:$port target/debug/rates healthcheck 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/serve.log"; echo "error: rates serve exited" >&2; exit 1; }
  sleep 1
done
RATES_LISTEN=127.0.0.1:$port target/debug/rates healthcheck || { tail -20 "$work/serve.log"; exit 1; }

step "traffic: answers, cache hits, 4xx, unmatched routes"
query="date_from=2024-01-01&date_to=2024-01-03&origin=china_main&destination=northern_europe"
for _ in 1 2 3; do curl -sf -o /dev/null "$base/rates?$query"; done
curl -sf -o /dev/null "$base/"
curl -sf -o /dev/null "$base/ports"
curl -sf -o /dev/null "$base/health"
for path in "/rates?date_from=2024-02-30&date_to=2024-03-01&origin=china_main&destination=northern_europe" /no-such-page; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  [[ $status == 4* ]] || { echo "error: $path answered $status, expected 4xx" >&2; exit 1; }
done

step "scrape $base/metrics"
curl -sf "$base/metrics" >"$work/metrics.prom" || { echo "error: GET /metrics failed" >&2; exit 1; }
echo "$(grep -vc '^#' "$work/metrics.prom") samples"

step "promtool check metrics on the scrape"
# No lint finding is accepted.
promtool check metrics <"$work/metrics.prom"

step "every metric of the dashboard and the rules is in the scrape, with sensible values"
python3 deploy/checks/observability_metrics.py --scrape "$work/metrics.prom" \
  --dashboard deploy/observability/grafana-dashboard.json --rules deploy/observability/alerts.yml \
  --contract deploy/checks/tests/fixtures/metrics_contract.prom --expect-traffic
