"""The container kit: Dockerfile, compose files, .env.example, HAProxy.

Checks that every name these files hand to `rates` is one the binary knows:
environment variables (settings or aliases), subcommands (command,
ENTRYPOINT/CMD, HEALTHCHECK, healthcheck tests, SEED_COMMAND), the port and
the readiness path (EXPOSE, published ports, the proxy's health check), the
image's uid, the roles each step logs in as (migrate and seed as the owner,
the api never as the owner or a superuser, through the files rotation
writes), that no secret setting is given a value in an `environment:`, and
that the api's stop_grace_period covers shutdown delay + grace + 1 s.
"""

from __future__ import annotations

import json
import pathlib
import re
import shlex

import yaml

DOCKERFILE = "Dockerfile"
COMPOSE_FILES = ["compose.yaml", "deploy/docker/compose.proxy.yaml"]
ENV_EXAMPLE = ".env.example"
HAPROXY = "deploy/docker/proxy/haproxy.cfg"
BUILD_SCRIPT = "build.rs"
BINARY = "/usr/local/bin/rates"
SUPERUSER = "postgres"


class _Loader(yaml.SafeLoader):
    """Compose's `!reset` / `!override` tags load as their plain value."""


for _tag in ("!reset", "!override"):
    _Loader.add_constructor(
        _tag,
        lambda loader, node: (
            loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_mapping(node)
            if isinstance(node, yaml.MappingNode)
            else loader.construct_scalar(node)
        ),
    )


def interpolate(text: str) -> str:
    """Compose interpolation with nothing set: ${X:-d} and ${X-d} give d."""
    return re.sub(
        r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}",
        lambda m: m.group(2) or "",
        text,
    )


def dockerfile_stages(text: str) -> list[dict]:
    """Stages of a Dockerfile: name, env (key -> value) and instructions."""
    lines, buf = [], ""
    for raw in text.splitlines():
        if not buf and raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        if buf and raw.lstrip().startswith("#"):
            continue
        lines.append(buf + raw)
        buf = ""
    stages: list[dict] = []
    for line in lines:
        parts = line.strip().split(None, 1)
        if not parts:
            continue
        op, rest = parts[0].upper(), (parts[1] if len(parts) > 1 else "")
        if op == "FROM":
            words = rest.split()
            name = words[2] if len(words) > 2 and words[1].upper() == "AS" else None
            stages.append({"name": name, "env": {}, "ops": []})
        elif stages:
            stages[-1]["ops"].append((op, rest))
            if op == "ENV":
                words = shlex.split(rest)
                if words and "=" not in words[0]:
                    stages[-1]["env"][words[0]] = " ".join(words[1:])
                else:
                    for word in words:
                        key, _, value = word.partition("=")
                        stages[-1]["env"][key] = value
    return stages


def exec_form(rest: str) -> list[str] | None:
    try:
        value = json.loads(rest)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) else None


def duration_secs(text: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(text))
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def argv_of(command) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(interpolate(command))
    return [interpolate(str(c)) for c in command]


def is_rates(service: dict) -> bool:
    build = service.get("build")
    context = build.get("context") if isinstance(build, dict) else build
    return context == "." or "rates:" in interpolate(str(service.get("image", "")))


def check(ref, repo: pathlib.Path) -> list[str]:
    findings: list[str] = []
    known_env = ref.env_vars
    port = ref.http["default_port"]

    def setting_env(where: str, key: str) -> None:
        if key not in known_env:
            findings.append(f"{where}: {key} is not a setting the binary reads")

    def command(where: str, argv: list[str]) -> None:
        if not ref.is_command(argv):
            findings.append(f"{where}: `rates {' '.join(argv)}` is not a rates subcommand")

    def default(env_name: str) -> str:
        setting = ref.setting_for_env(env_name)
        return str(setting.get("default", "")) if setting else ""

    # Variables build.rs reads while cargo compiles (GIT_REVISION): a
    # build stage may set them; they are not settings of the binary.
    build_rs = repo / BUILD_SCRIPT
    build_inputs = set(
        re.findall(r"cargo:rerun-if-env-changed=(\w+)", build_rs.read_text()) if build_rs.exists() else []
    )

    # Dockerfile: stages that run the binary.
    image_env: dict[str, str] = {}
    for stage in dockerfile_stages((repo / DOCKERFILE).read_text()):
        ops = stage["ops"]
        runs_rates = any(
            op == "ENTRYPOINT" and (exec_form(rest) or [""])[0] == BINARY for op, rest in ops
        )
        where = f"{DOCKERFILE} ({stage['name'] or 'unnamed stage'})"
        for key in stage["env"]:
            if not runs_rates and key in build_inputs:
                continue
            if runs_rates or key.startswith("RATES_"):
                setting_env(where, key)
        if not runs_rates:
            continue
        if stage["name"] == "runtime":
            image_env = stage["env"]
        for op, rest in ops:
            if op == "CMD":
                command(f"{where} CMD", exec_form(rest) or shlex.split(rest))
            elif op == "HEALTHCHECK":
                argv = exec_form(rest.split("CMD", 1)[1].strip()) or []
                if argv[:1] != [BINARY]:
                    findings.append(f"{where}: HEALTHCHECK does not run {BINARY}")
                command(f"{where} HEALTHCHECK", argv[1:])
            elif op == "EXPOSE" and rest.split("/")[0].strip() != str(port):
                findings.append(f"{where}: EXPOSE {rest} but the server listens on {port}")
            elif op == "USER" and stage["name"] == "runtime":
                if rest.split(":")[0].strip() != str(ref.image_uid):
                    findings.append(f"{where}: USER {rest} but the image uid is {ref.image_uid}")
    if not image_env:
        findings.append(f"{DOCKERFILE}: no `runtime` stage running {BINARY}")

    # Compose files, merged the way compose merges them (later files win).
    services: dict[str, dict] = {}
    for name in COMPOSE_FILES:
        doc = yaml.load((repo / name).read_text(), Loader=_Loader) or {}
        for svc, body in (doc.get("services") or {}).items():
            # Ports per file: the proxy override resets the api's to none.
            if svc == "api":
                for published in (body or {}).get("ports") or []:
                    target = published.get("target") if isinstance(published, dict) else str(published).split(":")[-1]
                    if str(target).split("/")[0] != str(port):
                        findings.append(f"{name} service api: publishes container port {target}, the server listens on {port}")
            merged = services.setdefault(svc, {})
            for key, value in (body or {}).items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
    roles = ref.roles
    rotate_files = {
        f
        for body in services.values()
        if is_rates(body) and argv_of(body.get("command"))[:2] == ["db", "rotate"]
        for f in (env_of(body).get("RATES_ROTATE_USER_FILE", ""), env_of(body).get("RATES_ROTATE_PASSWORD_FILE", ""))
    }
    if not rotate_files:
        findings.append("compose: no service runs `db rotate` to publish the api's login")
    for svc, body in services.items():
        where = f"compose service {svc}"
        env = env_of(body)
        for key, value in env.items():
            setting = ref.setting_for_env(key)
            if setting and setting.get("secret") and value:
                findings.append(f"{where}: secret setting {key} has a value in environment:")
            if re.search(r"PASSWORD|SECRET|TOKEN", key) and not key.endswith("_FILE") and value:
                findings.append(f"{where}: {key} looks like a secret in environment:")
        if not is_rates(body):
            continue
        for key in env:
            setting_env(where, key)
        argv = argv_of(body.get("command"))
        command(f"{where} command", argv or ["serve"])
        test = (body.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and test[:1] == ["CMD"]:
            if test[1:2] != [BINARY]:
                findings.append(f"{where}: healthcheck does not run {BINARY}")
            command(f"{where} healthcheck", test[2:])
        user = env.get("RATES_DB_USER") or env.get("PGUSER")
        if argv[:1] in (["migrate"], ["import"], ["demo"]) and user != roles["owner"]:
            findings.append(f"{where}: `{argv[0]}` must log in as {roles['owner']}, not {user}")
        if (argv or ["serve"])[0] == "serve":
            if user in (roles["owner"], SUPERUSER):
                findings.append(f"{where}: the api must not log in as {user}")
            delay = float(env.get("RATES_SHUTDOWN_DELAY_SECS") or image_env.get("RATES_SHUTDOWN_DELAY_SECS") or default("RATES_SHUTDOWN_DELAY_SECS") or 0)
            grace = float(env.get("RATES_SHUTDOWN_GRACE_SECS") or image_env.get("RATES_SHUTDOWN_GRACE_SECS") or default("RATES_SHUTDOWN_GRACE_SECS") or 0)
            stop = duration_secs(body.get("stop_grace_period", "10s"))
            if stop <= delay + grace + 1:
                findings.append(f"{where}: stop_grace_period {stop:g}s is not above shutdown delay + grace + 1 = {delay + grace + 1:g}s")
            login = {env.get("RATES_DB_USER_FILE", ""), env.get("RATES_DB_PASSWORD_FILE", "")}
            if svc == "api" and login != rotate_files:
                findings.append(f"{where}: reads its login from {sorted(login)}, rotation writes {sorted(rotate_files)}")

    # .env.example: SEED_COMMAND values, set or shown commented out.
    for line in (repo / ENV_EXAMPLE).read_text().splitlines():
        m = re.match(r"#?\s*SEED_COMMAND=(.*)", line.strip())
        if m:
            command(f"{ENV_EXAMPLE} SEED_COMMAND", shlex.split(m.group(1)))

    # The proxy's backend port and health check.
    cfg = (repo / HAPROXY).read_text()
    check_path = re.search(r"option httpchk\s+GET\s+(\S+)", cfg)
    if not check_path or check_path.group(1) != ref.http["readiness"]:
        findings.append(f"{HAPROXY}: health check is not GET {ref.http['readiness']}")
    for target in re.findall(r"^\s*server(?:-template)?\s.*?:(\d+)", cfg, re.M):
        if target != str(port):
            findings.append(f"{HAPROXY}: backend port {target}, the server listens on {port}")
    return findings
