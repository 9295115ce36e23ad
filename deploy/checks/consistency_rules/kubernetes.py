"""deploy/kubernetes: the names the manifests use are the binary's.

For every container that runs the rates image (`image: rates`, which the
overlays' `images:` point at a registry): each environment variable it gets
(its `env`, the ConfigMaps of its `envFrom` from `configMapGenerator`, and
the `env` lists the overlays' patches put in its place) is a setting or an
alias the binary reads, and one its command uses; its `args` are a real
subcommand; its port is the binary's; liveness probes `/livez`, readiness
`/readyz`, a startup probe one of the two, never `/health`; the pod runs as
the image's uid; terminationGracePeriodSeconds is above shutdown delay +
grace + 1 s; and every database role named in the kit is one of the binary's.
"""

from __future__ import annotations

import pathlib
import re

import yaml

KIT = pathlib.Path("deploy/kubernetes")
RATES_IMAGE = "rates"
WORKLOADS = {"Deployment", "StatefulSet", "Job", "CronJob", "Pod", "DaemonSet"}
ROLE = re.compile(r"\brates_[a-z_]+\b")


def _docs(path: pathlib.Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


def _pod_spec(doc: dict) -> dict:
    spec = doc.get("spec") or {}
    if doc.get("kind") == "Pod":
        return spec
    if doc.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return ((spec.get("template") or {}).get("spec")) or {}


def _generators(kit: pathlib.Path) -> dict[str, dict[str, str]]:
    """ConfigMap name -> every key any kustomization gives it (merges included)."""
    maps: dict[str, dict[str, str]] = {}
    for k in kit.rglob("kustomization.yaml"):
        for gen in yaml.safe_load(k.read_text()).get("configMapGenerator", []) or []:
            annotations = (gen.get("options") or {}).get("annotations") or {}
            if annotations.get("config.kubernetes.io/local-config") == "true":
                continue  # never deployed, so never anyone's environment
            data = maps.setdefault(gen["name"], {})
            for literal in gen.get("literals", []) or []:
                key, _, value = literal.partition("=")
                data[key] = value.split("#")[0].strip()
            for env_file in gen.get("envs", []) or []:
                for line in (k.parent / env_file).read_text().splitlines():
                    if line.strip() and not line.startswith("#"):
                        key, _, value = line.partition("=")
                        data[key.strip()] = value.strip()
    return maps


def _patched_envs(kit: pathlib.Path) -> list[tuple[str, str, str, list[dict]]]:
    """(file, kind, name, env list) for JSON 6902 patches that set a container's env."""
    found = []
    for k in kit.rglob("kustomization.yaml"):
        for patch in yaml.safe_load(k.read_text()).get("patches", []) or []:
            target = patch.get("target") or {}
            ops = yaml.safe_load(patch.get("patch", "") or "[]")
            for op in ops if isinstance(ops, list) else []:
                if str(op.get("path", "")).endswith("/env") and isinstance(op.get("value"), list):
                    found.append((str(k), target.get("kind"), target.get("name"), op["value"]))
    return found


def _command(ref, args: list[str]) -> str | None:
    """The subcommand args run: "db rotate", "serve", ... or None."""
    if len(args) > 1 and f"{args[0]} {args[1]}" in ref.commands:
        return f"{args[0]} {args[1]}"
    return args[0] if args and args[0] in ref.commands else None


def check(ref, repo: pathlib.Path) -> list[str]:
    kit = repo / KIT
    if not kit.is_dir():
        return [f"{KIT} not found"]
    findings: list[str] = []
    maps = _generators(kit)
    known = ref.env_vars
    http = ref.http
    setting_keys = {s["env"] for s in ref.raw["settings"]}

    def env_ok(where: str, name: str, command: str | None) -> None:
        setting = ref.setting_for_env(name)
        if setting is None:
            findings.append(f"{where}: {name} is not a setting or alias the binary reads")
        elif command and setting.get("commands") and command not in setting["commands"]:
            findings.append(f"{where}: {name} ({setting['key']}) is not used by `rates {command}`")

    commands: dict[tuple[str, str], str] = {}
    workloads = []
    for path in sorted(kit.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in _docs(path):
            if doc.get("kind") in WORKLOADS:
                workloads.append((path, doc))
    for path, doc in workloads:
        spec = _pod_spec(doc)
        name = (doc.get("metadata") or {}).get("name")
        for c in spec.get("containers", []) or []:
            if c.get("image") != RATES_IMAGE:
                continue
            where = f"{path.relative_to(repo)}: {doc['kind']}/{name} container {c.get('name')}"
            args = [str(a) for a in c.get("args", []) or []]
            if not ref.is_command(args):
                findings.append(f"{where}: args {args} are not a rates subcommand")
            command = _command(ref, args)
            commands[(doc["kind"], name)] = command
            env_names = [e["name"] for e in c.get("env", []) or []]
            for ef in c.get("envFrom", []) or []:
                ref_name = (ef.get("configMapRef") or {}).get("name")
                if ref_name not in maps:
                    findings.append(f"{where}: envFrom ConfigMap {ref_name} is not generated by any kustomization")
                env_names += list(maps.get(ref_name, {}))
            for n in env_names:
                env_ok(where, n, command)
            values = {e["name"]: str(e.get("value", "")) for e in c.get("env", []) or []}
            for ef in c.get("envFrom", []) or []:
                values.update(maps.get((ef.get("configMapRef") or {}).get("name"), {}))
            for p in c.get("ports", []) or []:
                if p.get("containerPort") != http["default_port"]:
                    findings.append(f"{where}: port {p.get('containerPort')} is not the binary's {http['default_port']}")
            if "RATES_LISTEN" in values:
                findings.append(f"{where}: RATES_LISTEN moves the port away from the probes' {http['default_port']}")
            probes = {k: (c.get(k) or {}).get("httpGet", {}).get("path") for k in ("livenessProbe", "readinessProbe", "startupProbe")}
            if command == "serve":
                if probes["livenessProbe"] != http["liveness"]:
                    findings.append(f"{where}: liveness probe {probes['livenessProbe']} is not {http['liveness']}")
                if probes["readinessProbe"] != http["readiness"]:
                    findings.append(f"{where}: readiness probe {probes['readinessProbe']} is not {http['readiness']}")
                if probes["startupProbe"] not in (http["liveness"], http["readiness"]):
                    findings.append(f"{where}: startup probe {probes['startupProbe']} is neither {http['liveness']} nor {http['readiness']}")
                delay = int(values.get("RATES_SHUTDOWN_DELAY_SECS", 0))
                grace = int(values.get("RATES_SHUTDOWN_GRACE_SECS", 20))
                period = spec.get("terminationGracePeriodSeconds", 30)
                if not period > delay + grace + 1:
                    findings.append(f"{where}: terminationGracePeriodSeconds {period} is not above {delay} + {grace} + 1")
            for p in probes.values():
                if p == http["health"]:
                    findings.append(f"{where}: {http['health']} is not a probe (it asks the database)")
            uid = (c.get("securityContext") or {}).get("runAsUser", (spec.get("securityContext") or {}).get("runAsUser"))
            if uid != ref.image_uid:
                findings.append(f"{where}: runAsUser {uid} is not the image's uid {ref.image_uid}")
    for file, kind, name, env in _patched_envs(kit):
        command = commands.get((kind, name))
        if command is None:
            findings.append(f"{file}: patch sets env on {kind}/{name}, which runs no rates container")
        for e in env:
            env_ok(f"{file}: patch of {kind}/{name}", e.get("name"), command)
    # Keys of generated ConfigMaps that look like settings must be settings.
    for cm, data in maps.items():
        for key in data:
            if key.startswith("RATES_") and key not in setting_keys:
                findings.append(f"ConfigMap {cm}: {key} is not a setting (an unknown RATES_* variable stops the binary)")
    roles = {ref.roles["owner"], ref.roles["api"], ref.roles["writer"], *ref.roles["api_logins"]}
    for path in sorted(kit.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".env"):
            for role in set(ROLE.findall(path.read_text())):
                if role not in roles:
                    findings.append(f"{path.relative_to(repo)}: {role} is not one of the binary's roles")
    return findings
