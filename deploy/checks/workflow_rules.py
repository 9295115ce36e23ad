#!/usr/bin/env python3
"""Rules for .github/ that no linter checks.

1. Every `uses:` of a workflow or composite action names a full 40-hex
   commit SHA with its version in a comment (`owner/repo@<sha> # v1.2.3`):
   a tag can be moved to other code, a commit cannot. Local actions (`./`)
   and `docker://` images pinned by digest are the exceptions.
2. ci.yml runs every script `.ci/run` runs, so GitHub and the project's own
   CI check the same things.
3. .pre-commit-config.yaml pins the Python tools at the versions CI installs
   (deploy/checks/requirements-aws.txt).

    python3 deploy/checks/workflow_rules.py [REPO]
"""

from __future__ import annotations

import pathlib
import re
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?([^\s'\"#]+)['\"]?\s*(?:#\s*(.*))?$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION = re.compile(r"^v\d+(?:\.\d+)*\b")


def _yaml_files(repo: pathlib.Path) -> list[pathlib.Path]:
    root = repo / ".github"
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.name != "dependabot.yml")


def _uses_in(node) -> int:
    """How many `uses` keys the parsed YAML holds (to catch forms the line regex misses)."""
    if isinstance(node, dict):
        return sum(1 for k in node if k == "uses") + sum(_uses_in(v) for v in node.values())
    if isinstance(node, list):
        return sum(_uses_in(v) for v in node)
    return 0


def unpinned(repo: pathlib.Path) -> list[str]:
    findings = []
    files = _yaml_files(repo)
    if not files:
        return [f"no workflow files under {repo / '.github'}"]
    for path in files:
        where = path.relative_to(repo)
        seen = 0
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = USES.match(line)
            if not m:
                continue
            seen += 1
            ref, comment = m.group(1), (m.group(2) or "").strip()
            if ref.startswith("./"):
                continue
            if ref.startswith("docker://"):
                if "@sha256:" not in ref:
                    findings.append(f"{where}:{n}: {ref} is not pinned by digest")
                continue
            if not PINNED.match(ref):
                findings.append(f"{where}:{n}: {ref} is not pinned to a full commit SHA")
            elif not VERSION.match(comment):
                findings.append(f"{where}:{n}: {ref} has no '# vX.Y.Z' comment naming its version")
        parsed = _uses_in(yaml.safe_load(path.read_text()))
        if parsed != seen:
            findings.append(f"{where}: {parsed} uses, {seen} in the one-line form this check reads")
    return findings


def ci_parity(repo: pathlib.Path) -> list[str]:
    run = (repo / ".ci" / "run").read_text()
    m = re.search(r"^for script in ([^;]+); do", run, re.M)
    if not m:
        return [".ci/run: no `for script in ...; do` list found"]
    local = {s.removesuffix(".sh") for s in m.group(1).split()}
    ci = yaml.safe_load((repo / ".github" / "workflows" / "ci.yml").read_text())
    matrix = set()
    for job in ci["jobs"].values():
        matrix.update(job.get("strategy", {}).get("matrix", {}).get("script", []))
    return [f".github/workflows/ci.yml: .ci/{s}.sh runs in .ci/run but not on GitHub" for s in sorted(local - matrix)]


def precommit_pins(repo: pathlib.Path) -> list[str]:
    ci = {}
    for line in (repo / "deploy" / "checks" / "requirements-aws.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            ci[name.strip().lower()] = version.strip()
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    findings, pins = [], 0
    for r in config["repos"]:
        for hook in r.get("hooks", []):
            for dep in hook.get("additional_dependencies", []):
                name, _, version = dep.partition("==")
                pins += 1
                if name.lower() not in ci:
                    findings.append(f".pre-commit-config.yaml: {dep} is not in deploy/checks/requirements-aws.txt")
                elif version != ci[name.lower()]:
                    findings.append(f".pre-commit-config.yaml: {dep}, CI installs {ci[name.lower()]}")
    return findings if pins else [".pre-commit-config.yaml: no pinned Python tool found"]


def main() -> int:
    repo = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO
    findings = unpinned(repo) + ci_parity(repo) + precommit_pins(repo)
    for f in findings:
        print(f"workflow rule: {f}", file=sys.stderr)
    if findings:
        return 1
    print("workflow rules: every action pinned by SHA with its version; ci.yml runs every .ci/run script; pre-commit pins = CI pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
