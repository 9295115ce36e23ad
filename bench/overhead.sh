#!/usr/bin/env bash
# What the access log and the metrics cost: `GET /rates` (the port-to-port
# query on the Xeneta 2021 dump) with both on (as deployed: INFO, one JSON
# line per request to a file), with the access log off, and with metrics off
# too. The three are run in turn ROUNDS times (a shared or virtual machine's
# speed drifts: interleaving spreads that over all three), and the median of
# each is compared.
#
#   bench/overhead.sh                  # 5 rounds of 8 s each
#   ROUNDS=9 DURATION=10s bench/overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8s}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source bench/lib.sh
export RATES_EMBEDDED_DATA_DIR="$work/data" RATES_EMBEDDED_DEMO_DATA=false RATES_LOG_FILTER=warn
"$rates" import ../shared/data/xeneta-rates-2021.sql >/dev/null
url="http://127.0.0.1:$port/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL"

measure() { # name access_log metrics
  start_server "$work/server.log" RATES_ACCESS_LOG="$2" RATES_METRICS="$3" RATES_LOG_FILTER=info RATES_LOG_FORMAT=json
  wrk -t2 -c64 -d"$DURATION" "$url" | awk -v name="$1" '/Requests\/sec/ {print name, $2}' >>"$work/results"
  stop_server
}
for round in $(seq "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  measure both true true
  measure no-access-log false true
  measure neither false false
done
python3 - "$work/results" "$ROUNDS" "$DURATION" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rps = line.split()
    runs.setdefault(name, []).append(float(rps))
median = {name: statistics.median(v) for name, v in runs.items()}
print(f"\nGET /rates (port-to-port), wrk -t2 -c64, {sys.argv[2]} rounds of {sys.argv[3]}: median requests/s")
for name, label in [("both", "access log on, metrics on"), ("no-access-log", "access log off, metrics on"), ("neither", "access log off, metrics off")]:
    spread = ", ".join(f"{r:,.0f}" for r in runs[name])
    print(f"  {label:<28} {median[name]:>9,.0f}   ({spread})")
print(f"access log costs {100 * (1 - median['both'] / median['no-access-log']):.1f}% (goal: under 10%)")
print(f"metrics cost     {100 * (1 - median['no-access-log'] / median['neither']):.1f}% (goal: under 5%)")
PY
