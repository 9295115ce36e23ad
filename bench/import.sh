#!/usr/bin/env bash
# Memory of a serving replica during a live replace import: starts `rates
# serve` on a throwaway embedded PostgreSQL holding N demo prices, then
# replaces all of them with `rates demo` (another seed) while it serves,
# sampling the server's RSS every 100 ms until it serves the new data.
# Reports RSS before, the peak (VmHWM), after, and how long the replica took
# to follow the commit.
#
#   bench/import.sh                      # 1,000,000 prices over a year
#   bench/import.sh 10000000             # the issue's 10M
#   KEEP=/tmp/rates-10m bench/import.sh 10000000   # reuse a loaded dataset
set -euo pipefail
cd "$(dirname "$0")/.."

prices=${1:-1000000}
source bench/lib.sh
export RATES_EMBEDDED_DATA_DIR="${KEEP:-$work/data}" RATES_EMBEDDED_DEMO_DATA=false RATES_LOG_FILTER=warn
demo() { "$rates" demo --prices "$prices" --days 365 --first-day 2024-01-01 --seed "$1"; }

if [[ -n "${KEEP:-}" && -f "$KEEP/loaded-$prices" ]]; then
  echo "== reusing the $prices prices loaded in $KEEP"
else
  echo "== loading $prices prices (seed 42)"
  demo 42
  [[ -n "${KEEP:-}" ]] && touch "$KEEP/loaded-$prices"
fi

start_server "$work/server.log"
base="http://127.0.0.1:$port"
read -r orig dest < <(python3 bench/pick.py lane "$base")
query="$base/rates?date_from=2024-01-01&date_to=2024-12-30&orig_code=$orig&dest_code=$dest"
etag() { curl -s -o /dev/null -D - "$query" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r'; }
before_tag=$(etag)
rss() { awk "/$1/ {printf \"%.0f\", \$2/1024}" "/proc/$server/status"; }
rss_before=$(rss VmRSS)

( while kill -0 "$server" 2>/dev/null; do echo "$(date +%s.%N) $(rss VmRSS)"; sleep 0.1; done ) >"$work/rss" &
sampler=$!
# Another seed than the data loaded (a KEEP directory may hold any).
seed=$((1000 + RANDOM))
echo "== replacing them with $prices other prices (seed $seed) while the replica serves"
started=$(date +%s.%N)
demo "$seed" | tail -1
committed=$(date +%s.%N)
until [[ "$(etag)" != "$before_tag" ]]; do sleep 0.05; done
followed=$(date +%s.%N)
sleep 1
kill "$sampler"
rss_after=$(rss VmRSS)
peak=$(rss VmHWM)
status=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")

echo
echo "prices: $prices replaced by $prices (rates demo, one transaction)"
echo "replica RSS: before ${rss_before} MiB, peak ${peak} MiB (VmHWM), after ${rss_after} MiB; /readyz $status"
python3 - "$work/rss" "$started" "$committed" "$followed" <<'PY'
import sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
started, committed, followed = map(float, sys.argv[2:5])
during = [m for t, m in samples if started <= t <= followed + 1]
print(f"sampled every 100 ms: max {max(during):.0f} MiB over {len(during)} samples")
print(f"import {committed - started:.1f} s; the replica served the new data {1000 * (followed - committed):.0f} ms after the commit")
PY
