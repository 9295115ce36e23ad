#!/usr/bin/env bash
# GitHub Actions (.github) and .pre-commit-config.yaml: actionlint (running
# ShellCheck over every run: block), zizmor --offline, checkov, a trivy secret
# scan, every action pinned by commit SHA with its version, ci.yml running
# every .ci/run script, and the GitHub consistency rule with its tests.
source "$(dirname "$0")/lib.sh"
source .ci/scanners.sh # lib.sh has moved to the repository root
export CI=true
python_tools deploy/checks/requirements-aws.txt

step "actionlint (+ shellcheck)"
command -v shellcheck >/dev/null
actionlint

step "zizmor --offline"
zizmor --offline .github
[[ -z ${CI_SARIF_DIR:-} ]] || zizmor --offline --format sarif .github > "$CI_SARIF_DIR/zizmor.sarif"

step "checkov (github_actions)"
run_checkov workflows github_actions .github

# trivy has no GitHub Actions misconfiguration checks; what it adds here is
# its secret scanner, first shown to find a key planted in a copy of .github.
step "trivy secret scan (.github, .pre-commit-config.yaml)"
secret_scan() { trivy fs --scanners secret --skip-db-update --cache-dir "$CI_CACHE/trivy" --quiet --exit-code 1 "$@"; }
planted=$(mktemp -d)
cp -r .github "$planted/.github"
printf 'aws_access_key_id = AKIAZ7VRSQ5TLW4NKB6Q\naws_secret_access_key = "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"\n' > "$planted/.github/workflows/planted.yml"
if secret_scan --format json "$planted/.github" >/dev/null; then
  echo "trivy's secret scanner missed a planted key" >&2
  exit 1
fi
rm -rf "$planted"
for target in .github .pre-commit-config.yaml; do
  secret_scan --format json "$target" >/dev/null || secret_scan "$target"
done
echo "trivy: no secret in .github or .pre-commit-config.yaml"

step "pre-commit config"
pre-commit validate-config .pre-commit-config.yaml

step "the rates binary (the consistency checks compare the deploy files with its settings)"
cargo build --locked --quiet --bin rates

step "workflow rules: SHA pins, CI parity (and their tests)"
python deploy/checks/workflow_rules.py
python -m pytest -q -p no:cacheprovider deploy/checks/test_workflow_rules.py deploy/checks/consistency_rules/test_github.py
