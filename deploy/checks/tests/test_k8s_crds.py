"""k8s_crds.py: SecretProviderClass fields and CSI volume references."""

from __future__ import annotations

import copy
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import k8s_crds  # noqa: E402

REPO = HERE.parents[2]
SPC = yaml.safe_load((REPO / "deploy/kubernetes/overlays/aks-key-vault/secretproviderclass.yaml").read_text())
SPC["metadata"]["namespace"] = "rates"
POD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "rates"},
    "spec": {
        "template": {
            "spec": {
                "volumes": [
                    {
                        "name": "db",
                        "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True, "volumeAttributes": {"secretProviderClass": "rates-db-api"}},
                    }
                ]
            }
        }
    },
}


def test_the_kits_secret_provider_class_passes():
    assert k8s_crds.check([SPC, POD]) == []


def test_mistakes_are_found():
    spc = copy.deepcopy(SPC)
    del spc["spec"]["parameters"]["tenantId"]
    spc["spec"]["parameters"]["keyvault"] = "typo"
    spc["spec"]["parameters"]["objects"] = "array:\n  - |\n    objectName: x\n    objectType: secrett\n"
    spc["spec"]["providr"] = "azure"
    pod = copy.deepcopy(POD)
    pod["spec"]["template"]["spec"]["volumes"][0]["csi"]["volumeAttributes"]["secretProviderClass"] = "missing"
    found = "\n".join(k8s_crds.check([spc, pod]))
    for expected in ("'tenantId' is required", "unknown Azure parameter 'keyvault'", "objectType must be", "unknown field spec.providr", "'missing' not found"):
        assert expected in found, found


def test_unknown_custom_resources_are_not_waved_through():
    other = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert k8s_crds.check([other]) == ["Widget/w: no check for example.com/v1 Widget"]
