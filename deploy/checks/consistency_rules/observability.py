"""Observability kit (deploy/observability) against the binary's reference:
the example scrape config's metrics path and port are the binary's, and every
RATES_* variable and setting key (`max_staleness_secs`) the rules, tests and
dashboard name is one the binary reads. Metric names are checked against a
real scrape instead (deploy/checks/observability_metrics.py). Each kind of
name must be found at least once, so a rewrite that hides them from this
check fails it instead of passing it.
"""

from __future__ import annotations

import pathlib
import re

import yaml

KIT = "deploy/observability"
SCRAPE_CONFIG = f"{KIT}/prometheus.yml"
SETTING_KEY = re.compile(r"\b((?:[a-z]+\.)?[a-z_]+_secs)\b")


def check(ref, repo: pathlib.Path) -> list[str]:
    findings: list[str] = []
    config = yaml.safe_load((repo / SCRAPE_CONFIG).read_text())
    jobs = config.get("scrape_configs") or []
    if not jobs:
        findings.append(f"{SCRAPE_CONFIG}: no scrape_configs")
    for job in jobs:
        name = job.get("job_name")
        # Prometheus' own default is /metrics too, but say it: it is the contract.
        path = job.get("metrics_path")
        if path != ref.http["metrics"]:
            findings.append(f"{SCRAPE_CONFIG}: job {name} scrapes {path}, not the binary's {ref.http['metrics']}")
        targets = [t for sc in job.get("static_configs", []) for t in sc.get("targets", [])]
        if not targets:
            findings.append(f"{SCRAPE_CONFIG}: job {name} has no static target")
        for target in targets:
            port = int(target.rsplit(":", 1)[1])
            if port != ref.http["default_port"]:
                findings.append(f"{SCRAPE_CONFIG}: target {target} is not on the default port {ref.http['default_port']}")

    keys = {s["key"] for s in ref.raw["settings"]}
    seen_env = seen_key = False
    files = sorted(p for p in (repo / KIT).rglob("*") if p.suffix in (".yml", ".yaml", ".json"))
    for f in files:
        where = str(f.relative_to(repo))
        text = f.read_text()
        for env in sorted(set(re.findall(r"\b(RATES_[A-Z0-9_]+)\b", text))):
            seen_env = True
            if env not in ref.env_vars:
                findings.append(f"{where}: {env} is not a setting the binary reads")
        for key in sorted(set(SETTING_KEY.findall(text))):
            seen_key = True
            if key not in keys:
                findings.append(f"{where}: {key} is not a setting of the binary")
    if not seen_env:
        findings.append(f"found no RATES_* variable under {KIT}: has its layout changed?")
    if not seen_key:
        findings.append(f"found no setting key under {KIT}: has its layout changed?")
    return findings
