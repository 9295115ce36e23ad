"""The observability rule passes on the repository and fails on drift."""

from __future__ import annotations

import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from consistency import REPO, edited_reference as reference  # noqa: E402
from consistency_rules import observability  # noqa: E402


def test_the_repository_is_consistent():
    assert observability.check(reference(), REPO) == []


def test_a_renamed_setting_fails():
    def rename(raw):
        for s in raw["settings"]:
            if s["key"] == "metrics_listen":
                s["env"] = "RATES_METRICS_ADDRESS"
            if s["key"] == "max_staleness_secs":
                s["key"] = "max_stale_secs"

    found = observability.check(reference(rename), REPO)
    assert "deploy/observability/alerts.yml: RATES_METRICS_LISTEN is not a setting the binary reads" in found, found
    assert "deploy/observability/alerts.yml: max_staleness_secs is not a setting of the binary" in found, found


def test_a_moved_metrics_path_or_port_fails():
    def move(raw):
        raw["http"]["metrics"] = "/prometheus"
        raw["http"]["default_port"] = 8080

    found = observability.check(reference(move), REPO)
    assert "deploy/observability/prometheus.yml: job rates scrapes /metrics, not the binary's /prometheus" in found, found
    assert "deploy/observability/prometheus.yml: target 127.0.0.1:3000 is not on the default port 8080" in found, found


def test_a_kit_without_names_fails(tmp_path):
    shutil.copytree(REPO / "deploy/observability", tmp_path / "deploy/observability")
    for f in (tmp_path / "deploy/observability").rglob("*.y*ml"):
        f.write_text("groups: []\n")
    (tmp_path / "deploy/observability/prometheus.yml").write_text(
        "scrape_configs: [{job_name: rates, metrics_path: /metrics, static_configs: [{targets: ['h:3000']}]}]\n"
    )
    (tmp_path / "deploy/observability/grafana-dashboard.json").write_text("{}")
    found = observability.check(reference(), tmp_path)
    assert "found no RATES_* variable under deploy/observability: has its layout changed?" in found, found
    assert "found no setting key under deploy/observability: has its layout changed?" in found, found
