"""GitHub Actions kit (.github/workflows) against the binary's reference and
the ECS stack: every RATES_* variable a workflow names is a setting, every
probe path its smoke tests call is the router's, and every ECS task family it
runs (`$PREFIX-migrate`, `$PREFIX-rotate`) is one the Terraform stack
defines, with a real subcommand.
"""

from __future__ import annotations

import pathlib
import re

WORKFLOWS = ".github/workflows"
TASKS_TF = "deploy/terraform/aws/ecs/task_definitions.tf"


def _one_shot_commands(repo: pathlib.Path) -> dict[str, list[str]]:
    """migrate -> ["migrate"], ...: the one-shot tasks of the ECS stack."""
    text = (repo / TASKS_TF).read_text()
    return {
        m.group(1): re.findall(r'"([^"]*)"', m.group(2))
        for m in re.finditer(r"^\s+(\w+) = \{\n\s+command\s*=\s*\[([^\]]*)\]", text, re.M)
    }


def check(ref, repo: pathlib.Path) -> list[str]:
    findings: list[str] = []
    files = sorted((repo / WORKFLOWS).glob("*.yml"))
    if not files:
        return [f"no workflows under {WORKFLOWS}"]
    tasks = _one_shot_commands(repo)
    if not tasks:
        findings.append(f"{TASKS_TF}: found no one-shot task definitions: has its layout changed?")
    probes = {ref.http[k] for k in ("liveness", "readiness", "health", "metrics")}
    seen_probe = seen_family = False
    for f in files:
        where = f"{WORKFLOWS}/{f.name}"
        text = f.read_text()
        for name in sorted(set(re.findall(r"\b(RATES_[A-Z0-9_]+)\b", text))):
            # The binary refuses unknown RATES_* variables, so the CI scripts'
            # own (CI_CACHE_DIR, CI_SARIF_DIR) stay outside that namespace.
            if name not in ref.env_vars:
                findings.append(f"{where}: {name} is not a setting the binary reads")
        for path in re.findall(r'\$[{(]?\w*(?:URL|url)\}?\)?"?(/[a-z]+)\b', text):
            seen_probe = True
            if path not in probes and path != "/rates":
                findings.append(f"{where}: {path} is not an endpoint of the binary ({sorted(probes)})")
        for family in sorted(set(re.findall(r'\$PREFIX-(\w+)"', text))):
            seen_family = True
            if family == "api":
                continue
            if family not in tasks:
                findings.append(f"{where}: runs task family PREFIX-{family}, which {TASKS_TF} does not define")
            elif not ref.is_command(tasks[family]):
                findings.append(f"{where}: task {family} runs {tasks[family]}, not a rates subcommand")
    if not seen_probe:
        findings.append("found no smoke-test URL in the workflows: has their layout changed?")
    if not seen_family:
        findings.append("found no ECS task family in the workflows: has their layout changed?")
    return findings
