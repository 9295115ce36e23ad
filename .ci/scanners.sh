# shellcheck shell=bash
# checkov and trivy as the IaC scripts run them: `source .ci/scanners.sh`
# after lib.sh and python_tools. Each fails on any finding without an inline
# skip, fails when it scanned nothing (a moved directory must not turn into
# a green run), and writes SARIF to $CI_SARIF_DIR when that is set
# (ci.yml uploads it to code scanning).

# run_checkov NAME FRAMEWORK DIR...
run_checkov() {
  local name=$1 framework=$2; shift 2
  local out; out=$(mktemp -d)
  local dirs=(); for d in "$@"; do dirs+=(-d "$d"); done
  local rc=0
  checkov --skip-download --quiet --compact --framework "$framework" "${dirs[@]}" \
    -o cli -o json -o sarif --output-file-path "console,$out/json,$out/sarif" || rc=$?
  python3 - "$out/json" "$name" <<'PY' || rc=1
import json, sys
data = json.load(open(sys.argv[1]))
reports = data if isinstance(data, list) else [data]
passed = sum(r["summary"]["passed"] for r in reports)
print(f"checkov {sys.argv[2]}: " + ", ".join(f"{k} {sum(r['summary'][k] for r in reports)}" for k in ("passed", "failed", "skipped", "parsing_errors")))
if passed == 0:
    sys.exit(f"checkov {sys.argv[2]}: no check passed, so nothing was scanned")
if any(r["summary"]["parsing_errors"] for r in reports):
    sys.exit(f"checkov {sys.argv[2]}: files it could not parse")
PY
  [[ -z ${CI_SARIF_DIR:-} ]] || cp "$out/sarif" "$CI_SARIF_DIR/checkov-$name.sarif"
  rm -rf "$out"
  return "$rc"
}

# run_trivy_config NAME DIR: misconfigurations, with trivy's embedded checks.
run_trivy_config() {
  local name=$1 dir=$2
  local out; out=$(mktemp -d)
  local common=(--skip-check-update --cache-dir "$CI_CACHE/trivy" --quiet)
  trivy config "${common[@]}" --format json -o "$out/json" "$dir"
  local rc=0
  python3 - "$out/json" "$name" <<'PY' || rc=1
import json, sys
results = json.load(open(sys.argv[1])).get("Results") or []
ok = sum(r.get("MisconfSummary", {}).get("Successes", 0) for r in results)
bad = sum(r.get("MisconfSummary", {}).get("Failures", 0) for r in results)
print(f"trivy config {sys.argv[2]}: {len(results)} files, {ok} checks passed, {bad} failed")
if ok == 0:
    sys.exit(f"trivy config {sys.argv[2]}: no check passed, so nothing was scanned")
sys.exit(1 if bad else 0)
PY
  # The findings themselves, readable.
  ((rc == 0)) || trivy config "${common[@]}" "$dir"
  [[ -z ${CI_SARIF_DIR:-} ]] || trivy config "${common[@]}" --format sarif -o "$CI_SARIF_DIR/trivy-$name.sarif" "$dir"
  rm -rf "$out"
  return "$rc"
}
