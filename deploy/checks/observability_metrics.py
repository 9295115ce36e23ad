#!/usr/bin/env python3
"""Every metric the dashboard and the alert rules query exists in /metrics.

Reads a `/metrics` scrape (Prometheus text format), the Grafana dashboard
JSON and the Prometheus rule files, parses every PromQL query with a real
PromQL parser (Grafana's `$variables` substituted first) and reports:

- a query that does not parse, or names no metric;
- a metric name that is not in the scrape (histograms: the `_bucket`,
  `_sum`, `_count` series themselves), unless it is one of CONDITIONAL,
  which must then be in the contract's list instead;
- a dashboard query of a service metric without the `$job` and `$instance`
  filters, and a dashboard without those variables;
- with --contract: a metric family of the contract that the dashboard does
  not show;
- with --expect-traffic: values that a server which has loaded its data and
  answered a few /rates requests (some twice) and some 4xx cannot have.

    python3 deploy/checks/observability_metrics.py --scrape FILE \\
        --dashboard deploy/observability/grafana-dashboard.json \\
        --rules deploy/observability/alerts.yml [--contract FILE] [--expect-traffic]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys

import promql_parser
import yaml

# Names a real scrape of `rates serve` in embedded mode cannot show, and why.
CONDITIONAL = {
    "up": "written by Prometheus for each target, never by the target",
    "rates_credentials_expiry_seconds": "tokens only (entra_token, rds_iam): absent for passwords, so in embedded mode",
}

# Grafana's built-in range variables, replaced by a duration so the query parses.
GRAFANA_RANGES = re.compile(r"\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}")
LABEL_VALUES = re.compile(r"^\s*label_values\((?P<query>.+),\s*(?P<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def scrape_names(text: str) -> set[str]:
    """Sample names of a text-format scrape."""
    names = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """(name, labels, value) of every sample of a text-format scrape."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)", line)
        if m and not line.startswith("#"):
            out.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return out


def traffic_findings(scrape: str) -> list[str]:
    """What a loaded server that answered some requests must show."""
    values = samples(scrape)

    def total(name: str, **labels: str) -> float | None:
        found = [v for n, ls, v in values if n == name and all(ls.get(k) == x for k, x in labels.items())]
        return sum(found) if found else None

    expectations = [
        ("rates_ready", {}, lambda v: v == 1, "1 (ready)"),
        ("rates_read_model_loaded", {}, lambda v: v == 1, "1"),
        ("rates_db_up", {}, lambda v: v == 1, "1"),
        ("rates_read_model_entries", {}, lambda v: v > 0, "> 0 (the demo data)"),
        ("rates_read_model_sync_age_seconds", {}, lambda v: 0 <= v < 60, "under 60 s"),
        ("rates_http_requests_total", {"route": "/rates", "status_class": "2xx"}, lambda v: v >= 3, ">= 3"),
        ("rates_http_requests_total", {"status_class": "4xx"}, lambda v: v >= 2, ">= 2"),
        ("rates_http_request_duration_seconds_count", {"route": "/rates"}, lambda v: v >= 3, ">= 3"),
        ("rates_answer_cache_hits_total", {}, lambda v: v >= 1, ">= 1 (a repeated /rates)"),
        ("rates_build_info", {}, lambda v: v == 1, "1"),
    ]
    findings = []
    for name, labels, ok, want in expectations:
        v = total(name, **labels)
        where = name + ("{" + ",".join(f'{k}="{x}"' for k, x in labels.items()) + "}" if labels else "")
        if v is None:
            findings.append(f"scrape: no {where}")
        elif not ok(v):
            findings.append(f"scrape: {where} is {v:g}, expected {want}")
    return findings


def contract_families(text: str) -> set[str]:
    """Metric families (the `# TYPE` names) of a text-format file."""
    return {m.group(1) for m in re.finditer(r"^# TYPE (\S+) \S+$", text, re.M)}


def family(name: str, families: set[str]) -> str:
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in families:
            return name[: -len(suffix)]
    return name


def selectors(expr: promql_parser.Expr):
    """Yields (metric name or None, {label: (op, value)}) of every selector."""
    if isinstance(expr, promql_parser.VectorSelector):
        matchers = {m.name: (str(m.op), m.value) for m in expr.matchers.matchers}
        name = expr.name or matchers.pop("__name__", (None, None))[1]
        yield name, matchers
    elif isinstance(expr, promql_parser.MatrixSelector):
        yield from selectors(expr.vector_selector)
    elif isinstance(expr, promql_parser.Call):
        for arg in expr.args:
            yield from selectors(arg)
    elif isinstance(expr, promql_parser.AggregateExpr):
        yield from selectors(expr.expr)
        if expr.param is not None:
            yield from selectors(expr.param)
    elif isinstance(expr, promql_parser.BinaryExpr):
        yield from selectors(expr.lhs)
        yield from selectors(expr.rhs)
    elif isinstance(expr, (promql_parser.ParenExpr, promql_parser.UnaryExpr, promql_parser.SubqueryExpr)):
        yield from selectors(expr.expr)


def parse(query: str) -> promql_parser.Expr:
    return promql_parser.parse(GRAFANA_RANGES.sub("5m", query))


def dashboard_queries(dashboard: dict) -> list[tuple[str, str, bool]]:
    """(where, PromQL, filtered by $job/$instance) of every panel target and variable."""
    out = []

    def panels(items):
        for p in items:
            yield p
            yield from panels(p.get("panels", []))

    for p in panels(dashboard.get("panels", [])):
        for t in p.get("targets", []):
            if "expr" in t:
                out.append((f"panel {p.get('title')!r} {t.get('refId')}", t["expr"], True))
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else q or ""
        m = LABEL_VALUES.match(q)
        if m:
            out.append((f"variable {v['name']}", m.group("query"), False))
    return out


def rule_queries(rules: dict, where: str) -> list[tuple[str, str, bool]]:
    return [
        (f"{where}: {r.get('alert') or r.get('record')}", r["expr"], False)
        for g in rules.get("groups", [])
        for r in g.get("rules", [])
    ]


def check(
    scrape: str,
    dashboard: dict,
    rule_files: dict[str, dict],
    contract: str | None = None,
) -> list[str]:
    findings = []
    present = scrape_names(scrape)
    families = contract_families(contract) if contract is not None else set()
    contract_names = scrape_names(contract) if contract is not None else set()

    names = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    for var in ("job", "instance"):
        if var not in names:
            findings.append(f"dashboard: no ${var} variable")

    queries = dashboard_queries(dashboard)
    if not any(filtered for _, _, filtered in queries):
        findings.append("dashboard: no panel queries found")
    for path, rules in rule_files.items():
        found = rule_queries(rules, path)
        if not found:
            findings.append(f"{path}: no rules found")
        queries += found

    shown = set()
    for where, query, filtered in queries:
        try:
            expr = parse(query)
        except Exception as e:  # the parser raises plain exceptions
            findings.append(f"{where}: does not parse: {e}")
            continue
        sels = [s for s in selectors(expr) if s[0]]
        if not sels:
            findings.append(f"{where}: names no metric")
        for name, matchers in sels:
            if filtered:
                shown.add(family(name, families))
                for label in ("job", "instance"):
                    if matchers.get(label) != ("MatchOp.Re", f"${label}"):
                        findings.append(f'{where}: {name} is not filtered by {label}=~"${label}"')
            if name in present:
                continue
            if name in CONDITIONAL:
                if name != "up" and contract is not None and name not in contract_names:
                    findings.append(f"{where}: {name} is in neither the scrape nor the contract")
                continue
            findings.append(f"{where}: {name} is not in the /metrics scrape")

    if contract is not None:
        for fam in sorted(families - shown):
            findings.append(f"dashboard: the contract's {fam} is on no panel")
    return sorted(set(findings))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrape", required=True, type=pathlib.Path, help="a saved /metrics answer")
    parser.add_argument("--dashboard", required=True, type=pathlib.Path)
    parser.add_argument("--rules", required=True, type=pathlib.Path, nargs="+")
    parser.add_argument("--contract", type=pathlib.Path, help="/metrics as the contract lists it")
    parser.add_argument("--expect-traffic", action="store_true", help="the scrape follows some requests")
    args = parser.parse_args()
    scrape = args.scrape.read_text()
    findings = check(
        scrape,
        json.loads(args.dashboard.read_text()),
        {str(p): yaml.safe_load(p.read_text()) for p in args.rules},
        args.contract.read_text() if args.contract else None,
    )
    if args.expect_traffic:
        findings += traffic_findings(scrape)
    for f in findings:
        print(f"observability: {f}", file=sys.stderr)
    if findings:
        return 1
    print(f"observability: every metric of {args.dashboard} and {', '.join(map(str, args.rules))} is in {args.scrape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
