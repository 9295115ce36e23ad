"""The GitHub Actions rule passes on the repository and fails on drift."""

from __future__ import annotations

import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from consistency import REPO, edited_reference as reference  # noqa: E402
from consistency_rules import github  # noqa: E402


def test_the_repository_is_consistent():
    assert github.check(reference(), REPO) == []


def test_a_moved_readiness_path_fails():
    def move(raw):
        raw["http"]["readiness"] = "/ready"

    findings = github.check(reference(move), REPO)
    assert any("deploy-aws.yml: /readyz is not an endpoint" in f for f in findings), findings


def test_a_renamed_subcommand_fails():
    def rename(raw):
        raw["commands"] = [c for c in raw["commands"] if c != "migrate"] + ["schema-migrate"]

    findings = github.check(reference(rename), REPO)
    assert any("task migrate runs ['migrate']" in f for f in findings), findings


def test_a_task_family_the_stack_lacks_fails(tmp_path):
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    tf = tmp_path / github.TASKS_TF
    tf.parent.mkdir(parents=True)
    tf.write_text((REPO / github.TASKS_TF).read_text().replace("    rotate = {", "    rotate_users = {"))
    findings = github.check(reference(), tmp_path)
    assert any("PREFIX-rotate, which" in f for f in findings), findings


def test_an_unknown_rates_variable_fails(tmp_path):
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    shutil.copytree(REPO / "deploy", tmp_path / "deploy")
    wf = tmp_path / github.WORKFLOWS / "rotate-db-credentials.yml"
    wf.write_text(wf.read_text() + "# RATES_LOG_STYLE\n")
    findings = github.check(reference(), tmp_path)
    assert any("RATES_LOG_STYLE is not a setting" in f for f in findings), findings
