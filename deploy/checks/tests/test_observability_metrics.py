"""The metric-name check passes on the contract's /metrics and fails on drift."""

from __future__ import annotations

import copy
import json
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from observability_metrics import check, samples, scrape_names, traffic_findings  # noqa: E402

REPO = HERE.parents[2]
CONTRACT = (HERE / "fixtures" / "metrics_contract.prom").read_text()
DASHBOARD = json.loads((REPO / "deploy/observability/grafana-dashboard.json").read_text())
RULES = {"alerts.yml": yaml.safe_load((REPO / "deploy/observability/alerts.yml").read_text())}


def without(text: str, name: str) -> str:
    """The scrape with every sample of a family removed."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(name))


def panel(title: str) -> dict:
    return next(p for p in DASHBOARD["panels"] if p["title"] == title)


def test_the_dashboard_and_rules_match_the_contract():
    assert check(CONTRACT, DASHBOARD, RULES, CONTRACT) == []


def test_scrape_names_reads_labels_and_histograms():
    names = scrape_names(CONTRACT)
    assert {"rates_ready", "rates_http_requests_total", "rates_http_request_duration_seconds_bucket"} <= names
    assert "rates_http_request_duration_seconds" not in names  # only its series are samples


def test_a_metric_missing_from_the_scrape_fails_in_dashboard_and_rules():
    found = check(without(CONTRACT, "rates_db_up"), DASHBOARD, RULES, CONTRACT)
    assert "panel 'Database reachable' A: rates_db_up is not in the /metrics scrape" in found, found
    assert "alerts.yml: RatesDatabaseUnreachable: rates_db_up is not in the /metrics scrape" in found, found


def test_a_renamed_histogram_fails():
    scrape = CONTRACT.replace("rates_http_request_duration_seconds", "rates_http_request_seconds")
    found = check(scrape, DASHBOARD, RULES, CONTRACT)
    assert any("RatesSlowRatesP99: rates_http_request_duration_seconds_bucket is not in" in f for f in found), found


def test_a_conditional_metric_may_be_absent_but_must_be_in_the_contract():
    scrape = without(CONTRACT, "rates_credentials_expiry_seconds")
    assert check(scrape, DASHBOARD, RULES, CONTRACT) == []
    found = check(scrape, DASHBOARD, RULES, scrape)
    assert any("rates_credentials_expiry_seconds is in neither the scrape nor the contract" in f for f in found), found


def test_a_panel_without_the_instance_filter_fails():
    dashboard = copy.deepcopy(DASHBOARD)
    target = next(p for p in dashboard["panels"] if p["title"] == "Resident memory")["targets"][0]
    target["expr"] = 'process_resident_memory_bytes{job=~"$job"}'
    found = check(CONTRACT, dashboard, RULES, CONTRACT)
    assert found == ["panel 'Resident memory' A: process_resident_memory_bytes is not filtered by instance=~\"$instance\""], found


def test_a_query_that_does_not_parse_fails():
    dashboard = copy.deepcopy(DASHBOARD)
    next(p for p in dashboard["panels"] if p["title"] == "Open file descriptors")["targets"][0]["expr"] = "sum(process_open_fds{"
    found = check(CONTRACT, dashboard, RULES, CONTRACT)
    assert any(f.startswith("panel 'Open file descriptors' A: does not parse") for f in found), found


def test_a_contract_metric_on_no_panel_fails():
    dashboard = copy.deepcopy(DASHBOARD)
    dashboard["panels"] = [p for p in dashboard["panels"] if p["title"] != "Open file descriptors"]
    found = check(CONTRACT, dashboard, RULES, CONTRACT)
    assert found == ["dashboard: the contract's process_open_fds is on no panel"], found


def test_missing_variables_and_empty_inputs_fail():
    dashboard = copy.deepcopy(DASHBOARD)
    dashboard["templating"]["list"] = [v for v in dashboard["templating"]["list"] if v["name"] != "instance"]
    found = check(CONTRACT, dashboard, RULES, CONTRACT)
    assert "dashboard: no $instance variable" in found, found
    found = check(CONTRACT, {"panels": []}, {"empty.yml": {"groups": []}})
    assert "dashboard: no panel queries found" in found and "empty.yml: no rules found" in found, found


def test_variables_are_checked_too():
    dashboard = copy.deepcopy(DASHBOARD)
    job = next(v for v in dashboard["templating"]["list"] if v["name"] == "job")
    job["query"]["query"] = "label_values(rates_build, job)"
    found = check(CONTRACT, dashboard, RULES, CONTRACT)
    assert found == ["variable job: rates_build is not in the /metrics scrape"], found


def test_samples_reads_labels_and_values():
    found = samples('x_total{route="/ports/{code}",status_class="2xx"} 2\n# TYPE y gauge\ny 1.5e3\n')
    assert found == [("x_total", {"route": "/ports/{code}", "status_class": "2xx"}, 2.0), ("y", {}, 1500.0)]


def test_the_contract_scrape_shows_traffic():
    assert traffic_findings(CONTRACT) == []


def test_a_server_without_traffic_or_not_ready_fails():
    scrape = CONTRACT.replace("rates_ready 1", "rates_ready 0")
    scrape = without(scrape, "rates_answer_cache_hits_total")
    found = traffic_findings(scrape)
    assert found == ["scrape: rates_ready is 0, expected 1 (ready)", "scrape: no rates_answer_cache_hits_total"], found
    found = traffic_findings(CONTRACT.replace('route="/rates",status_class="2xx"} 12', 'route="/rates",status_class="2xx"} 2'))
    assert found == ['scrape: rates_http_requests_total{route="/rates",status_class="2xx"} is 2, expected >= 3'], found
