#!/usr/bin/env python3
"""Ties the names used in deploy files to the code.

The binary prints its own list of settings (with their environment variables
and aliases), subcommands, HTTP port and probe paths, role names and image
uid: `rates config --reference json`. Every module in `consistency_rules/`
exposes `check(ref: Reference, repo: pathlib.Path) -> list[str]` and reports
each name in its kit's files that the binary does not know. Renaming a
setting in the code therefore breaks this check until the deploy files follow.

    python3 deploy/checks/consistency.py                  # runs target/debug/rates
    python3 deploy/checks/consistency.py --rates PATH     # another binary
    python3 deploy/checks/consistency.py --reference FILE # a saved reference
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = pathlib.Path(__file__).resolve().parent / "consistency_rules"


@dataclass(frozen=True)
class Reference:
    """What the binary says about itself."""

    raw: dict

    @property
    def env_vars(self) -> set[str]:
        """Every environment variable the binary reads as a setting."""
        names = set()
        for s in self.raw["settings"]:
            names.add(s["env"])
            names.update(s.get("aliases", []))
        return names

    @property
    def commands(self) -> set[str]:
        """Subcommands, nested ones as "db rotate"."""
        return set(self.raw["commands"])

    @property
    def http(self) -> dict:
        return self.raw["http"]

    @property
    def roles(self) -> dict:
        return self.raw["roles"]

    @property
    def role_names(self) -> set[str]:
        """Every database role the binary creates or logs in as."""
        roles = self.roles
        return {roles["owner"], roles["api"], roles["writer"], *roles["api_logins"]}

    @property
    def image_uid(self) -> int:
        return self.raw["image_uid"]

    def setting_for_env(self, name: str) -> dict | None:
        for s in self.raw["settings"]:
            if name == s["env"] or name in s.get("aliases", []):
                return s
        return None

    def subcommand(self, argv: list[str]) -> str | None:
        """The subcommand argv (after the binary) runs: "db rotate", "serve", ... or None."""
        if len(argv) > 1 and f"{argv[0]} {argv[1]}" in self.commands:
            return f"{argv[0]} {argv[1]}"
        return argv[0] if argv and argv[0] in self.commands else None

    def is_command(self, argv: list[str]) -> bool:
        """True when argv (after the binary) starts with a real subcommand."""
        return self.subcommand(argv) is not None


DEFAULT_RATES = REPO / "target/debug/rates"


def binary_reference(rates: pathlib.Path | str = DEFAULT_RATES) -> dict:
    """`rates config --reference json`, from a built binary (the CI scripts
    run `cargo build --bin rates` first); the rules' tests edit copies of it."""
    out = subprocess.run(
        [str(rates), "config", "--reference", "json"],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout)


_BINARY_REFERENCE: dict | None = None


def edited_reference(edit=None) -> Reference:
    """The binary's reference, read once, with `edit(raw)` applied to a copy:
    what the rules' tests use to show that each kind of drift is caught. The
    binary is target/debug/rates, unless RATES_REFERENCE names a saved
    reference (`rates config --reference json` of another binary, such as
    the one in the image)."""
    global _BINARY_REFERENCE
    if _BINARY_REFERENCE is None:
        saved = os.environ.get("RATES_REFERENCE")
        _BINARY_REFERENCE = json.loads(pathlib.Path(saved).read_text()) if saved else binary_reference()
    raw = copy.deepcopy(_BINARY_REFERENCE)
    if edit:
        edit(raw)
    return Reference(raw)


def load_reference(args: argparse.Namespace) -> Reference:
    if args.reference:
        return Reference(json.loads(pathlib.Path(args.reference).read_text()))
    return Reference(binary_reference(args.rates))


def run_rules(ref: Reference, repo: pathlib.Path = REPO) -> list[str]:
    """Every rule module's findings, prefixed with the module's name."""
    sys.path.insert(0, str(RULES.parent))
    findings = []
    for path in sorted(RULES.glob("*.py")):
        if path.name.startswith("_") or path.name.startswith("test_"):
            continue
        module = importlib.import_module(f"consistency_rules.{path.stem}")
        findings += [f"{path.stem}: {f}" for f in module.check(ref, repo)]
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default=str(DEFAULT_RATES))
    parser.add_argument("--reference", help="a saved `rates config --reference json`")
    args = parser.parse_args()
    findings = run_rules(load_reference(args))
    for f in findings:
        print(f"inconsistent: {f}", file=sys.stderr)
    if findings:
        return 1
    print("consistency: every name in the deploy files is known to the binary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
