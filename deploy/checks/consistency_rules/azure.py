"""deploy/terraform/azure and azure-pipelines.yml: the names they use are the binary's.

Terraform: in every Container Apps app and job, each container that runs the
rates image (`local.image`) gets only settings (or aliases) as environment
variables, from its `env` blocks and the locals its `dynamic "env"` merges,
and only ones its command uses; every `args` list is a real subcommand;
probes use the binary's port and paths (`/livez`, `/readyz`, never
`/health`); the termination grace is above shutdown delay + grace + 1 s; every
database role named is one of the binary's; the AKS stack's federated
ServiceAccounts and namespace are those of the aks overlay.

Pipeline: every RATES_* variable is a setting, every probe path it calls is
the binary's, and the Deployment and Job it waits for exist in the manifests.
"""

from __future__ import annotations

import pathlib
import re

import yaml
from hcl_outline import Block, HclError, parse

STACKS = pathlib.Path("deploy/terraform/azure")
PIPELINE = pathlib.Path("azure-pipelines.yml")
KUBERNETES = pathlib.Path("deploy/kubernetes")
ENV_KEY = re.compile(r"\b([A-Z][A-Z0-9_]*[A-Z0-9])\s*=[^=]")
LOCAL_REF = re.compile(r"\blocal\.([a-z0-9_]+)")
ROLE = re.compile(r"['\"](rates_[a-z_]+)['\"]")
ARGS = re.compile(r"\bargs\s*=\s*\[([^\]]*)\]")
PROBE_PATH = re.compile(r"/(livez|readyz|health|metrics)\b")


def _locals(blocks: list[Block]) -> dict[str, str]:
    values = {}
    for b in blocks:
        if b.type == "locals":
            values.update({a.name: a.expr for a in b.attributes})
    return values


def _keys(expr: str, locals_: dict[str, str], seen: set[str] | None = None) -> set[str]:
    """Upper-case map keys in an expression and in the locals it refers to."""
    seen = seen if seen is not None else set()
    keys = set(ENV_KEY.findall(expr))
    for name in LOCAL_REF.findall(expr):
        if name not in seen and name in locals_:
            seen.add(name)
            keys |= _keys(locals_[name], locals_, seen)
    return keys


def _value(expr: str, locals_: dict[str, str], depth: int = 0) -> str:
    """A literal, resolving local.x and tostring(); arithmetic of integers."""
    expr = expr.strip()
    if depth > 5:
        return expr
    m = re.fullmatch(r"tostring\((.*)\)", expr)
    if m:
        return _value(m.group(1), locals_, depth + 1)
    expr = LOCAL_REF.sub(lambda m: _value(locals_.get(m.group(1), m.group(0)), locals_, depth + 1), expr)
    if re.fullmatch(r"[0-9+\s]+", expr):
        return str(sum(int(p) for p in expr.split("+")))
    return expr.strip('"')


def _args(expr: str) -> list[str]:
    return re.findall(r'"([^"]*)"', expr)


def _containers(block: Block):
    for template in block.children("template"):
        for c in template.children("container") + template.children("init_container"):
            yield template, c


def _check_stack(ref, repo: pathlib.Path, stack: pathlib.Path, findings: list[str]) -> None:
    files = sorted(stack.glob("*.tf"))
    roots = []
    for f in files:
        try:
            roots.append((f, parse(f.read_text())))
        except HclError as e:
            findings.append(f"{f.relative_to(repo)}: cannot parse: {e}")
    locals_ = _locals([b for _, r in roots for b in r.blocks])
    http = ref.http
    roles = ref.role_names
    for f, root in roots:
        text = f.read_text()
        rel = f.relative_to(repo)
        for role in set(ROLE.findall(text)):
            if role not in roles:
                findings.append(f"{rel}: {role} is not one of the binary's roles")
        for m in ARGS.finditer(text):
            args = _args(m.group(1))
            if args and not ref.is_command(args):
                findings.append(f"{rel}: args {args} are not a rates subcommand")
        for r in root.blocks:
            if r.type != "resource" or r.labels[0] not in ("azurerm_container_app", "azurerm_container_app_job"):
                continue
            for template, c in _containers(r):
                image = c.attr("image")
                if image is None or "local.image" not in image.expr:
                    continue  # not the rates image (the psql init container)
                where = f"{rel}: {r.labels[0]}.{r.labels[1]} container {c.attr('name').expr if c.attr('name') else '?'}"
                args_attr = c.attr("args")
                args = _args(args_attr.expr) if args_attr and args_attr.expr.strip().startswith("[") else []
                command = ref.subcommand(args)
                names = {_value(e.attr("name").expr, locals_) for e in c.children("env") if e.attr("name")}
                for d in c.children("dynamic"):
                    if d.labels == ["env"] and d.attr("for_each"):
                        names |= _keys(d.attr("for_each").expr, locals_)
                values = {}
                for key in ("RATES_SHUTDOWN_DELAY_SECS", "RATES_SHUTDOWN_GRACE_SECS"):
                    for expr in locals_.values():
                        m = re.search(rf"\b{key}\s*=\s*([^\n]+)", expr)
                        if m and key in names:
                            values[key] = _value(m.group(1), locals_)
                for name in sorted(names):
                    setting = ref.setting_for_env(name)
                    if setting is None:
                        findings.append(f"{where}: {name} is not a setting or alias the binary reads")
                    elif command and setting.get("commands") and command not in setting["commands"]:
                        findings.append(f"{where}: {name} ({setting['key']}) is not used by `rates {command}`")
                probes = {}
                for kind in ("liveness_probe", "readiness_probe", "startup_probe"):
                    for p in c.children(kind):
                        probes[kind] = _value(p.attr("path").expr, locals_) if p.attr("path") else None
                        port = _value(p.attr("port").expr, locals_) if p.attr("port") else None
                        if port != str(http["default_port"]):
                            findings.append(f"{where}: {kind} port {port} is not {http['default_port']}")
                if r.labels[0] == "azurerm_container_app":
                    if probes.get("liveness_probe") != http["liveness"]:
                        findings.append(f"{where}: liveness probe {probes.get('liveness_probe')} is not {http['liveness']}")
                    if probes.get("readiness_probe") != http["readiness"]:
                        findings.append(f"{where}: readiness probe {probes.get('readiness_probe')} is not {http['readiness']}")
                    if probes.get("startup_probe") not in (http["liveness"], http["readiness"]):
                        findings.append(f"{where}: startup probe {probes.get('startup_probe')} is neither {http['liveness']} nor {http['readiness']}")
                    grace_attr = template.attr("termination_grace_period_seconds")
                    delay = int(values.get("RATES_SHUTDOWN_DELAY_SECS", 0))
                    grace = int(values.get("RATES_SHUTDOWN_GRACE_SECS", 20))
                    period = _value(grace_attr.expr, locals_) if grace_attr else "0"
                    if not (period.isdigit() and int(period) > delay + grace + 1):
                        findings.append(f"{where}: termination grace {period} is not above {delay} + {grace} + 1")
                for path in probes.values():
                    if path == http["health"]:
                        findings.append(f"{where}: {http['health']} is not a probe (it asks the database)")
            for r2 in r.children("ingress"):
                port = _value(r2.attr("target_port").expr, locals_) if r2.attr("target_port") else None
                if port != str(http["default_port"]):
                    findings.append(f"{rel}: ingress target_port {port} is not {http['default_port']}")


def _manifest_names(repo: pathlib.Path) -> set[tuple[str, str]]:
    names = set()
    for path in (repo / KUBERNETES).rglob("*.yaml"):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind"):
                names.add((doc["kind"], (doc.get("metadata") or {}).get("name")))
    return names


def _check_aks_federation(repo: pathlib.Path, findings: list[str]) -> None:
    stack = repo / STACKS / "aks"
    if not stack.is_dir():
        findings.append(f"{STACKS}/aks not found")
        return
    blocks = [b for f in sorted(stack.glob("*.tf")) for b in parse(f.read_text()).blocks]
    service_accounts = set(re.findall(r'=\s*"([a-z0-9-]+)"', _locals(blocks).get("service_accounts", "")))
    manifests = _manifest_names(repo)
    for sa in sorted(service_accounts):
        if ("ServiceAccount", sa) not in manifests:
            findings.append(f"{STACKS}/aks: federated ServiceAccount {sa} is not in {KUBERNETES}")
    if not service_accounts:
        findings.append(f"{STACKS}/aks: no service_accounts in locals")
    namespace = next((b for b in blocks if b.type == "variable" and b.labels == ["namespace"]), None)
    overlay = yaml.safe_load((repo / KUBERNETES / "overlays/aks/kustomization.yaml").read_text())
    default = namespace.attr("default").expr.strip('"') if namespace and namespace.attr("default") else None
    if default != overlay.get("namespace"):
        findings.append(f"{STACKS}/aks: namespace {default} is not the aks overlay's {overlay.get('namespace')}")


def _check_pipeline(ref, repo: pathlib.Path, findings: list[str]) -> None:
    path = repo / PIPELINE
    if not path.is_file():
        findings.append(f"{PIPELINE} not found")
        return
    text = path.read_text()
    for name in sorted(set(re.findall(r"\bRATES_[A-Z0-9_]+", text))):
        if ref.setting_for_env(name) is None:
            findings.append(f"{PIPELINE}: {name} is not a setting")
    known = {ref.http["liveness"], ref.http["readiness"], ref.http["health"], ref.http.get("metrics")}
    for m in PROBE_PATH.finditer(text):
        if m.group(0) not in known:
            findings.append(f"{PIPELINE}: {m.group(0)} is not one of the binary's paths")
    manifests = _manifest_names(repo)
    for kind, name in re.findall(r"\b(deployment|job)/([a-z0-9-]+)", text):
        if (kind.capitalize(), name) not in manifests:
            findings.append(f"{PIPELINE}: {kind}/{name} is not in {KUBERNETES}")


def check(ref, repo: pathlib.Path) -> list[str]:
    findings: list[str] = []
    root = repo / STACKS
    if not root.is_dir():
        return [f"{STACKS} not found"]
    stacks = [d for d in sorted(root.iterdir()) if d.is_dir() and any(d.glob("*.tf"))]
    for stack in stacks:
        _check_stack(ref, repo, stack, findings)
    _check_aks_federation(repo, findings)
    _check_pipeline(ref, repo, findings)
    return findings
