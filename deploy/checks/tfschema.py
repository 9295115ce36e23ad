#!/usr/bin/env python3
"""Checks Terraform files against the providers' schemas, offline.

`terraform validate` needs the providers, which cannot be downloaded here;
`terraform providers schema -json` output for the pinned versions is kept in
../shared/schemas/terraform/<provider>-<version>/. For every `resource` and
`data` block under the given directories (all of deploy/terraform by
default, every cloud: the provider is the type's prefix, `aws_` or
`azurerm_`), this reports:

- a resource or data source type the provider does not have;
- an argument or nested block the type does not have (also inside nested
  blocks, `dynamic` blocks' `content`, and `lifecycle.ignore_changes`);
- a required argument or a required nested block that is missing;
- an argument that is computed-only (the provider sets it, config cannot);
- a deprecated argument, or more nested blocks than the schema allows.

It also checks `provider` blocks against the provider's own schema, that each
module pins the providers it uses with a constraint the schema version
satisfies (so the check and a real `terraform init` agree), and that calls
of local modules pass exactly the variables those modules declare.

    python3 deploy/checks/tfschema.py                 # every stack in deploy/terraform
    python3 deploy/checks/tfschema.py DIR_OR_FILE...  # some of them
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import sys
from dataclasses import dataclass

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from hcl_outline import Block, HclError, parse  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_SCHEMAS = REPO.parent / "shared" / "schemas" / "terraform"

RESOURCE_META = {"count", "for_each", "provider", "depends_on"}
RESOURCE_META_BLOCKS = {"lifecycle", "provisioner", "connection"}
LIFECYCLE = {"create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"}
LIFECYCLE_BLOCKS = {"precondition", "postcondition"}
MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}

# terraform_data is built into Terraform itself, not a provider.
BUILTIN = {
    "terraform_data": {
        "attributes": {
            "input": {"optional": True},
            "triggers_replace": {"optional": True},
            "output": {"computed": True},
            "id": {"computed": True},
        }
    }
}


@dataclass
class Provider:
    name: str
    version: tuple[int, ...]
    root: pathlib.Path

    def schema(self, kind: str, type_: str) -> dict | None:
        folder = "resource_schemas" if kind == "resource" else "data_source_schemas"
        path = self.root / folder / f"{type_}.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text())["block"]

    def provider_block(self) -> dict:
        raw = json.loads((self.root / "provider" / "block.json").read_text())
        return raw.get("block", raw)


def load_providers(schemas: pathlib.Path) -> dict[str, Provider]:
    providers = {}
    for path in sorted(schemas.iterdir()):
        m = re.fullmatch(r"([a-z0-9]+)-([0-9.]+)", path.name)
        if path.is_dir() and m:
            version = tuple(int(p) for p in m.group(2).split("."))
            providers[m.group(1)] = Provider(m.group(1), version, path)
    return providers


def satisfies(version: tuple[int, ...], constraint: str) -> bool:
    """Terraform version constraints: `~> 4.51`, `>= 6.19, < 7`, `= 1.2.3`."""
    for part in constraint.split(","):
        m = re.fullmatch(r"\s*(~>|>=|<=|!=|=|>|<)?\s*v?([0-9]+(?:\.[0-9]+)*)\s*", part)
        if not m:
            return False
        op, want = m.group(1) or "=", tuple(int(p) for p in m.group(2).split("."))
        have = version + (0,) * (len(want) - len(version))
        padded = want + (0,) * (len(have) - len(want))
        ok = {
            "=": have == padded,
            "!=": have != padded,
            ">": have > padded,
            ">=": have >= padded,
            "<": have < padded,
            "<=": have <= padded,
            # ~> 4.51 allows 4.x >= 4.51; ~> 4.51.0 allows 4.51.x.
            "~>": have >= padded and have[: len(want) - 1] == want[:-1],
        }[op]
        if not ok:
            return False
    return True


class Checker:
    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers
        self.findings: list[str] = []

    def report(self, where: str, line: int, message: str) -> None:
        self.findings.append(f"{where}:{line}: {message}")

    # -- blocks against schemas ------------------------------------------

    def check_body(self, where: str, what: str, block: Block, schema: dict, meta: set, meta_blocks: set) -> None:
        attrs = schema.get("attributes", {})
        types = schema.get("block_types", {})
        for a in block.attributes:
            if a.name in meta:
                continue
            spec = attrs.get(a.name)
            if spec is None:
                hint = " (a nested block: write it as a block)" if a.name in types else ""
                self.report(where, a.line, f"{what}: unknown argument {a.name!r}{hint}")
            elif spec.get("computed") and not spec.get("optional") and not spec.get("required"):
                self.report(where, a.line, f"{what}: {a.name!r} is computed-only and cannot be set")
            elif spec.get("deprecated"):
                self.report(where, a.line, f"{what}: {a.name!r} is deprecated")
        seen: dict[str, int] = {}
        dynamic: set[str] = set()
        for b in block.blocks:
            if b.type in meta_blocks:
                continue
            name, body, is_dynamic = b.type, b, False
            if b.type == "dynamic":
                name = b.labels[0] if b.labels else ""
                content = b.children("content")
                if len(content) != 1:
                    self.report(where, b.line, f"{what}: dynamic {name!r} needs one content block")
                    continue
                body, is_dynamic = content[0], True
                dynamic.add(name)
            nested = types.get(name)
            if nested is None:
                spec = attrs.get(name)
                if spec is not None and _object_collection(spec.get("type")):
                    # Legacy "attributes as blocks": a list of objects in block syntax.
                    fields = spec["type"][1][1]
                    for a in body.attributes:
                        if a.name not in fields:
                            self.report(where, a.line, f"{what}: {name}: unknown argument {a.name!r}")
                    continue
                self.report(where, b.line, f"{what}: unknown block {name!r}")
                continue
            if not is_dynamic:
                seen[name] = seen.get(name, 0) + 1
            self.check_body(where, f"{what}.{name}", body, nested["block"], set(), set())
        for name, spec in attrs.items():
            if spec.get("required") and block.attr(name) is None:
                self.report(where, block.line, f"{what}: missing required argument {name!r}")
        for name, nested in types.items():
            count, low, high = seen.get(name, 0), nested.get("min_items", 0), nested.get("max_items", 0)
            if name in dynamic:
                continue
            if count < low:
                self.report(where, block.line, f"{what}: missing required block {name!r}")
            if high and count > high:
                self.report(where, block.line, f"{what}: at most {high} {name!r} block(s)")

    def check_lifecycle(self, where: str, what: str, block: Block, schema: dict) -> None:
        for lc in block.children("lifecycle"):
            for a in lc.attributes:
                if a.name not in LIFECYCLE:
                    self.report(where, a.line, f"{what}: unknown lifecycle argument {a.name!r}")
            for b in lc.blocks:
                if b.type not in LIFECYCLE_BLOCKS:
                    self.report(where, b.line, f"{what}: unknown lifecycle block {b.type!r}")
            ignored = lc.attr("ignore_changes")
            if ignored is None or ignored.expr.strip() == "all":
                continue
            for path in _split_list(ignored.expr):
                self.check_path(where, ignored.line, what, path, schema)

    def check_path(self, where: str, line: int, what: str, path: str, schema: dict) -> None:
        """`template[0].container[0].image`: each step must exist."""
        steps = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[[^\]]*\]", path)
        block = schema
        for i, step in enumerate(s for s in steps if s):
            if block is None:
                return  # inside an attribute's value (a map key, say)
            if step in block.get("block_types", {}):
                block = block["block_types"][step]["block"]
            elif step in block.get("attributes", {}):
                block = None
            else:
                self.report(where, line, f"{what}: ignore_changes names unknown {path.strip()!r}")
                return
            if i == 0 and block is None:
                return

    # -- files ------------------------------------------------------------

    def check_module(self, directory: pathlib.Path, files: list[pathlib.Path]) -> None:
        parsed: list[tuple[str, Block]] = []
        for f in files:
            where = _display(f)
            try:
                parsed.append((where, parse(f.read_text())))
            except HclError as e:
                self.report(where, 0, f"cannot parse: {e}")
        used: dict[str, tuple[str, int]] = {}
        pinned: dict[str, str] = {}
        for where, root in parsed:
            for top in root.blocks:
                if top.type in ("resource", "data") and len(top.labels) == 2:
                    type_ = top.labels[0]
                    self.check_resource(where, top, top.type, type_)
                    prefix = type_.split("_", 1)[0]
                    if type_ not in BUILTIN:
                        used.setdefault(prefix, (where, top.line))
                elif top.type == "provider" and top.labels:
                    self.check_provider(where, top)
                elif top.type == "module":
                    self.check_module_call(where, directory, top)
                elif top.type == "terraform":
                    for rp in top.children("required_providers"):
                        for a in rp.attributes:
                            m = re.search(r'version\s*=\s*"([^"]*)"', a.expr)
                            pinned[a.name] = m.group(1) if m else ""
        for prefix, (where, line) in sorted(used.items()):
            provider = self.providers.get(prefix)
            if provider is None:
                continue  # already reported per block
            constraint = pinned.get(prefix)
            version = ".".join(map(str, provider.version))
            if constraint is None:
                self.report(where, line, f"{directory.name}: {prefix} is used but not in required_providers")
            elif not constraint or not satisfies(provider.version, constraint):
                self.report(
                    where, line, f"{directory.name}: required_providers {prefix} {constraint!r} does not admit the schema's {version}"
                )

    def check_resource(self, where: str, block: Block, kind: str, type_: str) -> None:
        what = f"{'data.' if kind == 'data' else ''}{type_}.{block.labels[1]}"
        if type_ in BUILTIN and kind == "resource":
            schema = BUILTIN[type_]
        else:
            prefix = type_.split("_", 1)[0]
            provider = self.providers.get(prefix)
            if provider is None:
                self.report(where, block.line, f"{what}: no schema for provider {prefix!r}")
                return
            schema = provider.schema(kind, type_)
            if schema is None:
                noun = "data source" if kind == "data" else "resource type"
                self.report(where, block.line, f"{what}: {provider.name} has no {noun} {type_!r}")
                return
        self.check_body(where, what, block, schema, RESOURCE_META, RESOURCE_META_BLOCKS)
        self.check_lifecycle(where, what, block, schema)

    def check_provider(self, where: str, block: Block) -> None:
        provider = self.providers.get(block.labels[0])
        if provider is None:
            self.report(where, block.line, f"provider {block.labels[0]!r}: no schema")
            return
        self.check_body(where, f"provider.{provider.name}", block, provider.provider_block(), {"alias"}, set())

    def check_module_call(self, where: str, directory: pathlib.Path, block: Block) -> None:
        what = f"module.{block.labels[0] if block.labels else '?'}"
        source = block.attr("source")
        if source is None:
            self.report(where, block.line, f"{what}: missing source")
            return
        path = source.expr.strip().strip('"')
        if not path.startswith(("./", "../")):
            return  # registry modules are not vendored here
        target = (directory / path).resolve()
        variables: dict[str, bool] = {}
        for f in sorted(target.glob("*.tf")):
            try:
                root = parse(f.read_text())
            except HclError:
                continue  # reported when that module is checked
            for v in root.children("variable"):
                if v.labels:
                    variables[v.labels[0]] = v.attr("default") is not None
        if not variables and not target.is_dir():
            self.report(where, source.line, f"{what}: no module at {path}")
            return
        given = {a.name for a in block.attributes} - MODULE_META
        for a in block.attributes:
            if a.name not in MODULE_META and a.name not in variables:
                self.report(where, a.line, f"{what}: the module has no variable {a.name!r}")
        for name, has_default in sorted(variables.items()):
            if not has_default and name not in given:
                self.report(where, block.line, f"{what}: missing required variable {name!r}")


def _object_collection(type_) -> bool:
    return (
        isinstance(type_, list)
        and len(type_) == 2
        and type_[0] in ("list", "set")
        and isinstance(type_[1], list)
        and type_[1][0] == "object"
    )


def _split_list(expr: str) -> list[str]:
    inner = expr.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    parts, depth, current = [], 0, ""
    for c in inner:
        if c in "[(" :
            depth += 1
        elif c in "])":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += c
    parts.append(current)
    return [p.strip() for p in parts if p.strip() and not p.strip().startswith("#")]


def _display(path: pathlib.Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def modules(paths: list[pathlib.Path]) -> dict[pathlib.Path, list[pathlib.Path]]:
    """The .tf files under `paths`, grouped by directory (one module each)."""
    grouped: dict[pathlib.Path, list[pathlib.Path]] = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(p.rglob("*.tf"))
        for f in files:
            if ".terraform" in f.parts:
                continue
            grouped.setdefault(f.parent, []).append(f)
    return grouped


def run(paths: list[pathlib.Path], schemas: pathlib.Path) -> list[str]:
    checker = Checker(load_providers(schemas))
    for directory, files in sorted(modules(paths).items()):
        checker.check_module(directory, files)
    return checker.findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=pathlib.Path, default=[REPO / "deploy" / "terraform"])
    parser.add_argument("--schemas", type=pathlib.Path, default=pathlib.Path(os.environ.get("TF_SCHEMAS", DEFAULT_SCHEMAS)))
    args = parser.parse_args()
    if not args.schemas.is_dir():
        print(f"error: no provider schemas at {args.schemas} (../shared beside the checkout)", file=sys.stderr)
        return 2
    grouped = modules(args.paths)
    if not grouped:
        print(f"error: no .tf files under {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    findings = run(args.paths, args.schemas)
    for f in findings:
        print(f, file=sys.stderr)
    blocks = sum(len(files) for files in grouped.values())
    if findings:
        print(f"tfschema: {len(findings)} finding(s) in {blocks} file(s)", file=sys.stderr)
        return 1
    print(f"tfschema: {blocks} file(s) in {len(grouped)} module(s) match the provider schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
