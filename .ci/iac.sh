#!/usr/bin/env bash
# Infrastructure as code, offline: Terraform (every stack under
# deploy/terraform, all clouds), the Kubernetes manifests as each overlay
# renders them, azure-pipelines.yml, and the names in all deploy files
# against the binary (the consistency check).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

for dir in ../shared/schemas/terraform ../shared/schemas/azure-pipelines; do
  [[ -d $dir ]] || { echo "error: $dir not found beside the checkout" >&2; exit 1; }
done
python_tools deploy/checks/requirements-iac.txt

step "terraform fmt -check -recursive deploy/terraform"
python3 deploy/checks/terraform_fmt.py deploy/terraform

step "schema check of every stack under deploy/terraform"
python3 deploy/checks/tfschema.py deploy/terraform

step "the rates binary (the consistency checks compare the deploy files with its settings)"
cargo build --locked --quiet --bin rates

step "tests of the checks (schema, CRDs, pipeline schema, consistency rules)"
python3 -m pytest -q -p no:cacheprovider \
  deploy/checks/tests/test_tfschema.py deploy/checks/tests/test_k8s_crds.py \
  deploy/checks/tests/test_azure_pipelines_schema.py deploy/checks/tests/test_consistency_kits.py

step "checkov on deploy/terraform"
checkov --skip-download --quiet --compact --framework terraform -d deploy/terraform

step "trivy config on deploy/terraform"
trivy config --skip-check-update --quiet --exit-code 1 deploy/terraform

# Rendered manifests live outside the checkout (kustomize drops comments,
# so inline skips are annotations: checkov.io/skipN).
rendered="$CI_CACHE/iac-rendered"
rm -rf "$rendered" && mkdir -p "$rendered"
step "kubectl kustomize every overlay"
for overlay in deploy/kubernetes/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" > "$rendered/$name.yaml"
  echo "$name: $(grep -c '^kind:' "$rendered/$name.yaml") objects"
done

step "kubernetes-validate --strict, and the custom resources"
kubernetes-validate --strict --quiet "$rendered"/*.yaml
python3 deploy/checks/k8s_crds.py "$rendered"/*.yaml

step "checkov on the rendered manifests"
checkov --skip-download --quiet --compact --framework kubernetes -d "$rendered"

step "trivy config on the rendered manifests"
trivy config --skip-check-update --quiet --exit-code 1 --config-data deploy/checks/trivy-data "$rendered"

step "shellcheck"
shellcheck -x --source-path=SCRIPTDIR .ci/iac.sh deploy/kubernetes/deploy-aks.sh deploy/terraform/azure/container-apps/release.sh

step "azure-pipelines.yml against the Azure Pipelines schema"
python3 deploy/checks/azure_pipelines_schema.py azure-pipelines.yml

step "consistency of the deploy files with the binary"
python3 deploy/checks/consistency.py
