"""AWS kit: Terraform (deploy/terraform/aws) and CloudFormation
(deploy/cloudformation) against the binary's reference.

Checks every environment variable a task or service sets, every command a
container runs, the container port, the health check paths, the database
role names (RDS IAM `dbuser:` ARNs, RATES_DB_USER), the container user, and
that the server's shutdown delay is the target group's deregistration delay.
Each kind of name must be found at least once, so a rewrite of the files
that hides them from this check fails it instead of passing it.
"""

from __future__ import annotations

import pathlib
import re

import yaml

TERRAFORM = "deploy/terraform/aws"
CLOUDFORMATION = "deploy/cloudformation"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, ...) kept as plain values."""


def _any_tag(loader: yaml.Loader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_CfnLoader.add_multi_constructor("!", _any_tag)


def load_cfn(path: pathlib.Path) -> dict:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 (SafeLoader subclass)


def _walk(node, key=None):
    """Yields (key, value) for every mapping entry, depth first."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def _env_entries(value) -> list[dict]:
    """Name/Value items of an Environment list, including those under !If."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and "Name" in item:
            out.append(item)
        elif isinstance(item, list):  # !If [cond, a, b]
            out += [x for x in item[1:] if isinstance(x, dict) and "Name" in x]
    return out


class _Names:
    def __init__(self):
        self.env: set[tuple[str, str]] = set()  # (name, file)
        self.commands: list[tuple[list[str], str]] = []
        self.ports: list[tuple[int, str]] = []
        self.paths: list[tuple[str, str]] = []
        self.roles: list[tuple[str, str]] = []
        self.uids: list[tuple[int, str]] = []


def _from_terraform(repo: pathlib.Path, names: _Names, findings: list[str]) -> None:
    files = sorted((repo / TERRAFORM).rglob("*.tf"))
    if not files:
        findings.append(f"no Terraform files under {TERRAFORM}")
        return
    for f in files:
        where = str(f.relative_to(repo))
        text = "\n".join(line.split("#", 1)[0] for line in f.read_text().splitlines())
        for m in re.finditer(r"\b(RATES_[A-Z0-9_]+)\b", text):
            names.env.add((m.group(1), where))
        for m in re.finditer(r'\bname\s*=\s*"([A-Z][A-Z0-9_]+)"', text):
            names.env.add((m.group(1), where))
        for m in re.finditer(r"\bcommand\s*=\s*\[([^\]]*)\]", text):
            argv = re.findall(r'"([^"]*)"', m.group(1))
            if argv[:1] == ["CMD"]:  # a container health check: CMD, the binary, its arguments
                argv = argv[2:]
            names.commands.append((argv, where))
        for m in re.finditer(r"\bcontainer_port\s*=\s*(\d+)", text):
            names.ports.append((int(m.group(1)), where))
        for m in re.finditer(r'\bpath\s*=\s*"(/[^"]*)"', text):
            names.paths.append((m.group(1), where))
        for m in re.finditer(r'dbuser:\$\{[^}]+\}/(\w+)"', text):
            names.roles.append((m.group(1), where))
        for m in re.finditer(r'\b(?:owner|api)\s*=\s*"(rates_\w+)"', text):
            names.roles.append((m.group(1), where))
        for m in re.finditer(r"\bapi_logins\s*=\s*\[([^\]]*)\]", text):
            names.roles += [(r, where) for r in re.findall(r'"(\w+)"', m.group(1))]
        for m in re.finditer(r"\bimage_uid\s*=\s*(\d+)", text):
            names.uids.append((int(m.group(1)), where))
        _shutdown_delay(text, where, findings)


def _shutdown_delay(text: str, where: str, findings: list[str]) -> None:
    """RATES_SHUTDOWN_DELAY_SECS and deregistration_delay name the same variable."""
    env = re.search(r"RATES_SHUTDOWN_DELAY_SECS\s*=\s*tostring\((var\.\w+)\)", text)
    tg = re.search(r"\bderegistration_delay\s*=\s*(var\.\w+)", text)
    if env and tg and env.group(1) != tg.group(1):
        findings.append(
            f"{where}: RATES_SHUTDOWN_DELAY_SECS is {env.group(1)} but the deregistration delay is {tg.group(1)}"
        )


def _from_cloudformation(repo: pathlib.Path, names: _Names, findings: list[str]) -> None:
    files = sorted((repo / CLOUDFORMATION).glob("*.yaml"))
    if not files:
        findings.append(f"no templates under {CLOUDFORMATION}")
        return
    for f in files:
        where = str(f.relative_to(repo))
        text = f.read_text()
        for m in re.finditer(r"\b(RATES_[A-Z0-9_]+)\b", text):
            names.env.add((m.group(1), where))
        for m in re.finditer(r"dbuser:\$\{\w+\}/(\w+)", text):
            names.roles.append((m.group(1), where))
        for key, value in _walk(load_cfn(f)):
            if key in ("Environment", "RuntimeEnvironmentVariables", "Secrets"):
                for item in _env_entries(value):
                    names.env.add((item["Name"], where))
                    if item["Name"] in ("RATES_DB_USER", "PGUSER") and isinstance(item.get("Value"), str):
                        names.roles.append((item["Value"], where))
            elif key == "Command" and isinstance(value, list):
                names.commands.append(([str(v) for v in value], where))
            elif key in ("ContainerPort", "Port") and isinstance(value, (int, str)) and str(value).isdigit():
                names.ports.append((int(value), where))
            elif key in ("HealthCheckPath", "Path") and isinstance(value, str):
                names.paths.append((value, where))
            elif key == "User" and isinstance(value, str):
                names.uids += [(int(u), where) for u in value.split(":") if u.isdigit()]


def check(ref, repo: pathlib.Path) -> list[str]:
    findings: list[str] = []
    names = _Names()
    _from_terraform(repo, names, findings)
    _from_cloudformation(repo, names, findings)

    known_env = ref.env_vars
    for name, where in sorted(names.env):
        if name not in known_env:
            findings.append(f"{where}: {name} is not a setting or alias the binary reads")
    for argv, where in names.commands:
        if not ref.is_command(argv):
            findings.append(f"{where}: command {argv} is not a rates subcommand")
    port = ref.http["default_port"]
    for p, where in names.ports:
        if p != port:
            findings.append(f"{where}: port {p}, the binary listens on {port}")
    probes = {ref.http["readiness"], ref.http["liveness"]}
    for path, where in names.paths:
        if path not in probes:
            findings.append(f"{where}: health check path {path} is not {sorted(probes)}")
    known_roles = ref.role_names
    for role, where in names.roles:
        if role not in known_roles:
            findings.append(f"{where}: database role {role} is not one the binary creates")
    for uid, where in names.uids:
        if uid != ref.image_uid:
            findings.append(f"{where}: user {uid}, the image runs as {ref.image_uid}")

    for kind, found in [
        ("environment variables", names.env),
        ("commands", names.commands),
        ("container ports", names.ports),
        ("health check paths", names.paths),
        ("database roles", names.roles),
        ("container users", names.uids),
    ]:
        if not found:
            findings.append(f"found no {kind} in the AWS files: has their layout changed?")
    return findings
