"""The AWS rule passes on the repository and fails on each kind of drift."""

from __future__ import annotations

import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from consistency import REPO, edited_reference as reference  # noqa: E402
from consistency_rules import aws  # noqa: E402


def test_the_repository_is_consistent():
    assert aws.check(reference(), REPO) == []


def test_a_renamed_setting_fails():
    def rename(raw):
        for s in raw["settings"]:
            if s["env"] == "RATES_LOG_FORMAT":
                s["env"] = "RATES_LOG_STYLE"

    findings = aws.check(reference(rename), REPO)
    assert any("task_definitions.tf: RATES_LOG_FORMAT" in f for f in findings), findings
    assert any("ecs-express.yaml: RATES_LOG_FORMAT" in f for f in findings), findings


def test_a_renamed_alias_fails():
    def rename(raw):
        for s in raw["settings"]:
            s["aliases"] = [a for a in s["aliases"] if a != "PGPASSWORD"]

    findings = aws.check(reference(rename), REPO)
    assert any("PGPASSWORD is not a setting" in f for f in findings), findings


def test_a_renamed_subcommand_fails():
    def rename(raw):
        raw["commands"] = [c for c in raw["commands"] if c != "db rotate"] + ["db rotate-users"]

    findings = aws.check(reference(rename), REPO)
    assert any("command ['db', 'rotate']" in f for f in findings), findings


def test_a_moved_probe_port_role_or_uid_fails():
    def move(raw):
        raw["http"]["readiness"] = "/ready"
        raw["http"]["default_port"] = 8080
        raw["roles"]["owner"] = "rates_admin_owner"
        raw["image_uid"] = 1000

    findings = "\n".join(aws.check(reference(move), REPO))
    assert "health check path /readyz" in findings
    assert "port 3000, the binary listens on 8080" in findings
    assert "database role rates_owner" in findings
    assert "user 65532, the image runs as 1000" in findings


def test_a_shutdown_delay_apart_from_the_deregistration_delay_fails(tmp_path):
    shutil.copytree(REPO / aws.TERRAFORM, tmp_path / aws.TERRAFORM)
    shutil.copytree(REPO / aws.CLOUDFORMATION, tmp_path / aws.CLOUDFORMATION)
    alb = tmp_path / aws.TERRAFORM / "ecs" / "alb.tf"
    alb.write_text(alb.read_text().replace("deregistration_delay = var.shutdown_delay_secs", "deregistration_delay = var.other"))
    tasks = tmp_path / aws.TERRAFORM / "ecs" / "task_definitions.tf"
    # In one file, so the rule sees both.
    tasks.write_text(tasks.read_text() + "\n" + alb.read_text())
    findings = aws.check(reference(), tmp_path)
    assert any("deregistration delay is var.other" in f for f in findings), findings


def test_files_it_cannot_read_fail_rather_than_pass(tmp_path):
    findings = aws.check(reference(), tmp_path)
    assert any("no Terraform files" in f for f in findings)
    assert any("found no environment variables" in f for f in findings)
