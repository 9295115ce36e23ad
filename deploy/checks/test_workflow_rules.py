"""workflow_rules.py: passes on the repository, fails on each unpinned form."""

from __future__ import annotations

import pathlib
import shutil
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import workflow_rules  # noqa: E402

SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1"


def repo_with(tmp_path: pathlib.Path, steps: str) -> pathlib.Path:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "x.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n" + steps
    )
    return tmp_path


def test_the_repository_follows_the_rules():
    assert workflow_rules.unpinned(workflow_rules.REPO) == []
    assert workflow_rules.ci_parity(workflow_rules.REPO) == []
    assert workflow_rules.precommit_pins(workflow_rules.REPO) == []


def test_a_pre_commit_pin_apart_from_ci_fails(tmp_path):
    (tmp_path / "deploy" / "checks").mkdir(parents=True)
    (tmp_path / "deploy" / "checks" / "requirements-aws.txt").write_text("zizmor==1.32.0\n")
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n      - id: z\n        additional_dependencies: [zizmor==1.0.0, cfn-lint==1.58.0]\n"
    )
    assert workflow_rules.precommit_pins(tmp_path) == [
        ".pre-commit-config.yaml: zizmor==1.0.0, CI installs 1.32.0",
        ".pre-commit-config.yaml: cfn-lint==1.58.0 is not in deploy/checks/requirements-aws.txt",
    ]


def test_a_pinned_action_with_its_version_passes(tmp_path):
    repo = repo_with(tmp_path, f"      - uses: actions/checkout@{SHA} # v7.0.1\n"
                               f"      - uses: github/codeql-action/upload-sarif@{SHA} # v4.36.2\n"
                               "      - uses: ./.github/actions/local\n")
    assert workflow_rules.unpinned(repo) == []


def test_tags_short_shas_and_missing_versions_fail(tmp_path):
    repo = repo_with(tmp_path, "      - uses: actions/checkout@v7\n"
                               "      - uses: actions/checkout@3d3c42e\n"
                               f"      - uses: actions/checkout@{SHA}\n"
                               "      - uses: docker://alpine:3\n")
    findings = "\n".join(workflow_rules.unpinned(repo))
    assert "actions/checkout@v7 is not pinned" in findings
    assert "actions/checkout@3d3c42e is not pinned" in findings
    assert "has no '# vX.Y.Z' comment" in findings
    assert "docker://alpine:3 is not pinned by digest" in findings


def test_a_uses_the_line_reader_cannot_see_fails(tmp_path):
    repo = repo_with(tmp_path, "      - {uses: actions/checkout@v7}\n")
    assert any("1 uses, 0 in the one-line form" in f for f in workflow_rules.unpinned(repo))


def test_a_script_missing_from_ci_yml_fails(tmp_path):
    shutil.copytree(workflow_rules.REPO / ".github", tmp_path / ".github")
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text("for script in rust.sh newcheck.sh; do\n  bash x\ndone\n")
    assert workflow_rules.ci_parity(tmp_path) == [
        ".github/workflows/ci.yml: .ci/newcheck.sh runs in .ci/run but not on GitHub"
    ]
