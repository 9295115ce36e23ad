#!/usr/bin/env python3
"""Checks the rendered objects that kubernetes-validate has no schema for.

kubernetes-validate knows the built-in kinds only; it merely warns about a
custom resource. Every object in the given files must be either a built-in
kind (left to kubernetes-validate) or one this script knows and checks
itself: SecretProviderClass (secrets-store.csi.x-k8s.io/v1, the Secrets
Store CSI driver) with the Azure Key Vault provider. For it: the fields the
CRD requires, only fields the CRD has, the Azure provider's parameters (a
vault, a tenant, workload identity's clientID, an `objects` array naming
secrets), and that every pod volume naming a SecretProviderClass uses the
CSI driver and names one that exists in the same namespace.

    python3 deploy/checks/k8s_crds.py RENDERED.yaml...
"""

from __future__ import annotations

import sys

import yaml

BUILTIN_GROUPS = {
    "v1",
    "apps/v1",
    "batch/v1",
    "policy/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
    "rbac.authorization.k8s.io/v1",
}
SPC_API = "secrets-store.csi.x-k8s.io/v1"
SPC_SPEC = {"provider", "parameters", "secretObjects"}
AZURE_PARAMS = {
    "usePodIdentity",
    "useVMManagedIdentity",
    "userAssignedIdentityID",
    "clientID",
    "keyvaultName",
    "tenantId",
    "cloudName",
    "objects",
}
OBJECT_FIELDS = {"objectName", "objectType", "objectAlias", "objectVersion", "objectEncoding", "objectFormat", "filePermission"}
CSI_DRIVER = "secrets-store.csi.k8s.io"


def check_spc(obj: dict) -> list[str]:
    name = obj.get("metadata", {}).get("name", "?")
    where = f"SecretProviderClass/{name}"
    problems = []
    if not obj.get("metadata", {}).get("name"):
        problems.append(f"{where}: metadata.name is required")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return problems + [f"{where}: spec is required"]
    problems += [f"{where}: unknown field spec.{k}" for k in spec if k not in SPC_SPEC]
    if spec.get("provider") != "azure":
        problems.append(f"{where}: spec.provider must be 'azure' (the only provider this project uses)")
    params = spec.get("parameters")
    if not isinstance(params, dict):
        return problems + [f"{where}: spec.parameters is required"]
    problems += [f"{where}: unknown Azure parameter {k!r}" for k in params if k not in AZURE_PARAMS]
    problems += [f"{where}: parameter {k!r} must be a string" for k, v in params.items() if not isinstance(v, str)]
    for required in ("keyvaultName", "tenantId", "objects", "clientID"):
        if not params.get(required):
            problems.append(f"{where}: parameter {required!r} is required (clientID: workload identity)")
    if params.get("usePodIdentity", "false") != "false":
        problems.append(f"{where}: usePodIdentity must be \"false\" (pod identity is retired; use workload identity)")
    try:
        objects = yaml.safe_load(params.get("objects") or "")
    except yaml.YAMLError as e:
        return problems + [f"{where}: objects is not YAML: {e}"]
    array = objects.get("array") if isinstance(objects, dict) else None
    if not isinstance(array, list) or not array:
        return problems + [f"{where}: objects needs a non-empty 'array'"]
    aliases = set()
    for i, item in enumerate(array):
        entry = yaml.safe_load(item) if isinstance(item, str) else None
        if not isinstance(entry, dict):
            problems.append(f"{where}: objects.array[{i}] must be a YAML mapping in a string")
            continue
        problems += [f"{where}: objects.array[{i}]: unknown field {k!r}" for k in entry if k not in OBJECT_FIELDS]
        if not entry.get("objectName"):
            problems.append(f"{where}: objects.array[{i}]: objectName is required")
        if entry.get("objectType") not in ("secret", "key", "cert"):
            problems.append(f"{where}: objects.array[{i}]: objectType must be secret, key or cert")
        alias = entry.get("objectAlias") or entry.get("objectName")
        if alias in aliases:
            problems.append(f"{where}: objects.array[{i}]: file name {alias!r} is used twice")
        aliases.add(alias)
    return problems


def pod_spec(obj: dict) -> dict:
    """The pod spec of a Pod or a workload's template ({} for other kinds)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return ((spec.get("template") or {}).get("spec")) or {}


def check(objects: list[dict]) -> list[str]:
    problems = []
    classes = set()
    for obj in objects:
        api, kind = obj.get("apiVersion"), obj.get("kind")
        if api == SPC_API and kind == "SecretProviderClass":
            problems += check_spc(obj)
            classes.add((obj.get("metadata", {}).get("namespace"), obj.get("metadata", {}).get("name")))
        elif api not in BUILTIN_GROUPS:
            problems.append(f"{kind}/{obj.get('metadata', {}).get('name')}: no check for {api} {kind}")
    for obj in objects:
        namespace = obj.get("metadata", {}).get("namespace")
        for volume in pod_spec(obj).get("volumes", []) or []:
            csi = volume.get("csi")
            if not csi:
                continue
            where = f"{obj.get('kind')}/{obj['metadata'].get('name')} volume {volume.get('name')}"
            if csi.get("driver") != CSI_DRIVER:
                problems.append(f"{where}: driver must be {CSI_DRIVER}")
            if csi.get("readOnly") is not True:
                problems.append(f"{where}: must be readOnly")
            spc = (csi.get("volumeAttributes") or {}).get("secretProviderClass")
            if (namespace, spc) not in classes:
                problems.append(f"{where}: SecretProviderClass {spc!r} not found in namespace {namespace!r}")
    return problems


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: k8s_crds.py RENDERED.yaml...", file=sys.stderr)
        return 2
    problems, count = [], 0
    for path in paths:
        with open(path) as f:
            objects = [o for o in yaml.safe_load_all(f) if o]
        count += len(objects)
        problems += [f"{path}: {p}" for p in check(objects)]
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"k8s_crds: {count} objects in {len(paths)} file(s): custom resources valid, CSI volumes resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
