"""The alert rules' unit tests bite: each mutation of a threshold, a `for` or
a selector in deploy/observability/alerts.yml makes
`promtool test rules deploy/observability/tests/alerts_test.yml` fail."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
OBS = REPO / "deploy/observability"

# (alert, field, text in that field, replacement): each one a plausible
# slip that the tests must notice.
MUTATIONS = [
    ("RatesHighErrorRatio", "expr", "> 0.01", ">= 0.01"),
    ("RatesHighErrorRatio", "for", "5m", "4m"),
    ("RatesHighErrorRatio", "expr", ',route!~"/livez|/readyz|/health"', ""),
    ("RatesSlowRatesP99", "expr", ") > 1", ") >= 1"),
    ("RatesSlowRatesP99", "expr", '{route="/rates"}', ""),
    ("RatesReadModelStale", "expr", "> 30", ">= 30"),
    ("RatesReadModelStale", "for", "1m", "0m"),
    ("RatesReplicaBehind", "expr", "offset 2m", "offset 1m"),
    ("RatesDatabaseUnreachable", "for", "1m", "0m"),
    ("RatesCredentialsExpiringSoon", "expr", "< 300", "<= 300"),
    ("RatesCredentialRefreshFailing", "expr", ">= 3", "> 3"),
    ("RatesCredentialRefreshFailing", "expr", ">= 3", ">= 2"),
    ("RatesNotReady", "for", "5m", "4m"),
    ("RatesTargetDown", "expr", 'up{job="rates"}', "up"),
    ("RatesTargetDown", "for", "2m", "1m"),
    ("RatesAbsent", "for", "5m", "4m"),
]


def promtool_test(directory: pathlib.Path) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not on PATH (Debian package prometheus; .ci/observability.sh installs it)"
    return subprocess.run(
        [promtool, "test", "rules", "tests/alerts_test.yml"],
        cwd=directory,
        capture_output=True,
        text=True,
    )


def copy_kit(tmp_path: pathlib.Path, rules: dict | None = None) -> pathlib.Path:
    (tmp_path / "tests").mkdir()
    shutil.copy(OBS / "tests/alerts_test.yml", tmp_path / "tests/alerts_test.yml")
    if rules is None:
        shutil.copy(OBS / "alerts.yml", tmp_path / "alerts.yml")
    else:
        (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
    return tmp_path


def test_the_rules_pass_their_tests(tmp_path):
    result = promtool_test(copy_kit(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_mutated_at_least_once():
    rules = yaml.safe_load((OBS / "alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    assert alerts == {m[0] for m in MUTATIONS}


@pytest.mark.parametrize("alert, field, old, new", MUTATIONS, ids=lambda v: str(v))
def test_a_mutated_rule_fails_its_tests(tmp_path, alert, field, old, new):
    rules = yaml.safe_load((OBS / "alerts.yml").read_text())
    rule = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert") == alert)
    assert old in rule[field], f"{alert}.{field} no longer contains {old!r}: update MUTATIONS"
    rule[field] = rule[field].replace(old, new)
    result = promtool_test(copy_kit(tmp_path, rules))
    assert result.returncode != 0, f"{alert}: {field} {old!r} -> {new!r} still passes the tests"
