"""The Kubernetes and Azure rules pass on the kit and fail when the binary renames a setting."""

from __future__ import annotations

import pathlib
import shutil
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from consistency import REPO, edited_reference as reference  # noqa: E402
from consistency_rules import azure, kubernetes  # noqa: E402

RULES = [kubernetes, azure]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_kit_is_consistent_with_the_contract(rule):
    assert rule.check(reference(), REPO) == []


@pytest.mark.parametrize(
    "rule, env",
    [
        (kubernetes, "RATES_SHUTDOWN_DELAY_SECS"),  # from a generated ConfigMap
        (kubernetes, "RATES_DB_USER"),  # from the aks overlay's patch
        (azure, "RATES_CREDENTIALS_SOURCE"),  # from a Terraform local the app merges
        (azure, "RATES_SHUTDOWN_GRACE_SECS"),
    ],
)
def test_a_renamed_setting_fails(rule, env):
    def rename(raw):
        for s in raw["settings"]:
            if s["env"] == env:
                s["env"] = env + "_RENAMED"

    found = rule.check(reference(rename), REPO)
    assert any(env in f and "not a setting" in f for f in found), found


def test_other_contract_changes_fail():
    def change(raw):
        raw["http"]["readiness"] = "/ready"
        raw["image_uid"] = 1000
        raw["commands"].remove("migrate")
        raw["roles"]["owner"] = "rates_admin"

    ref = reference(change)
    found = "\n".join(kubernetes.check(ref, REPO) + azure.check(ref, REPO))
    for expected in ("readiness probe /readyz is not /ready", "runAsUser 65532 is not the image's uid 1000", "['migrate'] are not a rates subcommand", "rates_owner is not one of the binary's roles"):
        assert expected in found, found


def test_a_setting_given_to_a_command_that_ignores_it_fails(tmp_path):
    repo = tmp_path / "repo"
    for part in ("deploy/kubernetes", "deploy/terraform/azure"):
        shutil.copytree(REPO / part, repo / part)
    shutil.copy(REPO / "azure-pipelines.yml", repo)
    job = repo / "deploy/kubernetes/base/migrate-job.yaml"
    job.write_text(job.read_text().replace("                name: rates-db\n", "                name: rates-db\n            - configMapRef:\n                name: rates-api\n"))
    found = kubernetes.check(reference(), repo)
    assert any("RATES_MIGRATE (migrate) is not used by `rates migrate`" in f for f in found), found
