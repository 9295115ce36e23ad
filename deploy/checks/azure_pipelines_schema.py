#!/usr/bin/env python3
"""Validates azure-pipelines.yml against the Azure Pipelines YAML schema.

The schema (../shared/schemas/azure-pipelines/service-schema.json, from
microsoft/azure-pipelines-vscode) knows the pipeline's structure and the
inputs of the built-in tasks (AzureCLI@2's, for one), so a misspelt key or
task input fails here rather than in Azure DevOps.

    python3 deploy/checks/azure_pipelines_schema.py [PIPELINE.yml] [--schema FILE]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import jsonschema
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = REPO.parent / "shared" / "schemas" / "azure-pipelines" / "service-schema.json"


def errors(pipeline: pathlib.Path, schema: pathlib.Path) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads(schema.read_text()))
    doc = yaml.safe_load(pipeline.read_text())
    found = []
    for error in validator.iter_errors(doc):
        # The schema is a oneOf of pipeline shapes and an anyOf of every
        # task: report the deepest causes, an unexpected key first, not
        # every alternative's complaint.
        causes, todo = [], [error]
        while todo:
            e = todo.pop()
            causes.append(e)
            todo.extend(e.context)
        deepest = max(len(c.absolute_path) for c in causes)
        leaves = [c for c in causes if len(c.absolute_path) == deepest]
        unexpected = [c for c in leaves if c.validator == "additionalProperties"]
        # Of the tasks' alternatives, the closest: fewest unexpected keys.
        leaf = min(unexpected or leaves[:1], key=lambda c: len(c.message))
        path = "/".join(str(p) for p in leaf.absolute_path) or "(root)"
        found.append(f"{pipeline.name}: {path}: {leaf.message[:300]}")
    return sorted(set(found))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", nargs="?", type=pathlib.Path, default=REPO / "azure-pipelines.yml")
    parser.add_argument("--schema", type=pathlib.Path, default=SCHEMA)
    args = parser.parse_args()
    if not args.schema.is_file():
        print(f"error: schema not found at {args.schema} (../shared beside the checkout)", file=sys.stderr)
        return 2
    found = errors(args.pipeline, args.schema)
    for e in found:
        print(e, file=sys.stderr)
    if found:
        return 1
    print(f"{args.pipeline.name}: valid against {args.schema.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
