#!/usr/bin/env bash
# HTTP benchmark: starts `rates` (release build) on a throwaway embedded
# PostgreSQL loaded with a chosen dataset, and measures it with wrk on
# loopback: requests/s, p50/p99 latency and errors for GET /, a port-to-port
# query, a region-to-region query and a mix of random queries, as deployed
# (access log on: INFO, JSON lines to a file; metrics on). Also reports
# start-up time to ready and the server's memory (RSS). What the access log
# and the metrics cost: bench/overhead.sh.
#
#   bench/http.sh                      # the Xeneta 2021 dump from ../shared/data
#   bench/http.sh --demo 10000000      # generated demo data, 10M prices over a year
#   DURATION=30s CONNECTIONS=64 THREADS=2 bench/http.sh
#   KEEP=/tmp/rates-10m bench/http.sh --demo 10000000   # keep the loaded data
#                                                     # there, reuse it next time
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
dataset=xeneta-2021
demo_prices=0
case "${1:-}" in
  --demo) dataset=demo; demo_prices=${2:?--demo needs a number of prices} ;;
  "") ;;
  *) echo "usage: $0 [--demo PRICES]" >&2; exit 2 ;;
esac

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source bench/lib.sh
export RATES_EMBEDDED_DATA_DIR="${KEEP:-$work/data}" RATES_EMBEDDED_DEMO_DATA=false RATES_LOG_FILTER=warn
year=$([[ $dataset == demo ]] && echo 2024 || echo 2021)

if [[ -n "${KEEP:-}" && -f "$KEEP/loaded" ]]; then
  echo "== reusing the data loaded in $KEEP"
elif [[ $dataset == demo ]]; then
  echo "== loading $dataset"
  "$rates" demo --prices "$demo_prices" --days 365 --first-day 2024-01-01
else
  echo "== loading $dataset"
  "$rates" import ../shared/data/xeneta-rates-2021.sql
fi
[[ -n "${KEEP:-}" ]] && touch "$KEEP/loaded"

started=$(date +%s.%N)
# As deployed: access log and metrics on, INFO, JSON lines to a file.
start_server "$work/server.log" RATES_ACCESS_LOG=true RATES_METRICS=true RATES_LOG_FILTER=info RATES_LOG_FORMAT=json
ready=$(python3 -c "print(f'{$(date +%s.%N) - $started:.2f}')")
base="http://127.0.0.1:$port"

# Query parameters: the issue's reference queries on the Xeneta data; on demo
# data, the busiest lane and the two biggest root regions.
if [[ $dataset == demo ]]; then
  read -r orig_port dest_port < <(python3 bench/pick.py lane "$base")
  read -r orig_region dest_region < <(python3 bench/pick.py regions "$base")
else
  orig_port=CNGGZ dest_port=EETLL orig_region=china_main dest_region=northern_europe
fi
port_query="/rates?date_from=$year-01-01&date_to=$year-01-31&orig_code=$orig_port&dest_code=$dest_port"
region_query="/rates?date_from=$year-01-01&date_to=$year-01-31&orig_code=$orig_region&dest_code=$dest_region"
python3 bench/pick.py mix "$base" "$year" > "$work/mix.lua"

run() { # name, path or --script
  local name=$1 out
  if [[ $2 == --script ]]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/mix.lua" "$base")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base$2")
  fi
  python3 bench/pick.py summary "$name" <<<"$out"
}

rss=$(awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$server/status")
echo
echo "dataset: $dataset$( [[ $dataset == demo ]] && echo " ($demo_prices prices)")"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS -c$CONNECTIONS -d$DURATION on loopback"
echo "start-up to ready: ${ready} s; RSS after start: $rss"
echo
echo "access log on (INFO, one JSON line per request, to a file):"
printf '%-18s %12s %10s %10s %8s\n' scenario "requests/s" "p50" "p99" errors
run "GET /" /
run "port-to-port" "$port_query"
run "region-to-region" "$region_query"
run "random mix" --script
echo "  ($(wc -l < "$work/server.log") log lines written)"
pgdata="$RATES_EMBEDDED_DATA_DIR/pgdata"
database_url="postgres://rates:$(cat "$RATES_EMBEDDED_DATA_DIR/superuser.password")@127.0.0.1:$(sed -n 4p "$pgdata/postmaster.pid")/rates"
python3 bench/pick.py fresh "$base" "$database_url" "$orig_port" "$dest_port" "$year-01-15"
echo
echo "RSS after load: $(awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$server/status")"
stop_server
