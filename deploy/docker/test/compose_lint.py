#!/usr/bin/env python3
"""Hardening policy for the compose files (checkov and `trivy config` have no
Docker Compose scanner, so this is ours). Reads the configuration as Compose
resolves it (`docker compose config --format json`, given on stdin) and
fails on any service that:

- has a writable root filesystem, keeps a capability, may gain privileges,
  is privileged, or shares the host's network, PID or IPC namespace;
- has no memory and CPU limit;
- runs for long (a restart policy) without a healthcheck;
- publishes a port on all interfaces instead of 127.0.0.1;
- uses an image without a pinned tag (`latest` or none);
- or sets an environment value that looks like a secret (only *_FILE paths).

    docker compose -f compose.yaml [-f ...] config --format json | compose_lint.py
"""

from __future__ import annotations

import json
import re
import sys


def problems(config: dict) -> list[str]:
    found = []
    for name, svc in sorted(config.get("services", {}).items()):
        def bad(msg: str) -> None:
            found.append(f"service {name}: {msg}")

        if svc.get("read_only") is not True:
            bad("root filesystem is writable (read_only: true)")
        if "ALL" not in (svc.get("cap_drop") or []) or svc.get("cap_add"):
            bad("keeps capabilities (cap_drop: [ALL], no cap_add)")
        if "no-new-privileges:true" not in (svc.get("security_opt") or []):
            bad("may gain privileges (security_opt: [no-new-privileges:true])")
        if svc.get("privileged"):
            bad("is privileged")
        for ns in ("network_mode", "pid", "ipc"):
            if svc.get(ns) == "host":
                bad(f"shares the host's {ns}")
        limits = ((svc.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        if not limits.get("memory") or not limits.get("cpus"):
            bad("has no memory and CPU limits (deploy.resources.limits)")
        if svc.get("restart") and not (svc.get("healthcheck") or {}).get("test"):
            bad("runs for long without a healthcheck")
        for port in svc.get("ports") or []:
            if port.get("published") and port.get("host_ip") not in ("127.0.0.1", "::1"):
                bad(f"publishes {port.get('published')} on all interfaces")
        image = svc.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            bad(f"image {image!r} has no pinned tag")
        for key, value in (svc.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY", key) and not key.endswith("_FILE") and value:
                bad(f"sets {key} in environment: use a secret file")
    return found


def main() -> int:
    found = problems(json.load(sys.stdin))
    for f in found:
        print(f"compose-lint: {f}", file=sys.stderr)
    if found:
        return 1
    print("compose-lint: every service is hardened")
    return 0


if __name__ == "__main__":
    sys.exit(main())
