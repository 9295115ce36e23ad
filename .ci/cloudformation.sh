#!/usr/bin/env bash
# CloudFormation templates (deploy/cloudformation): cfn-lint (AWS's resource
# schemas: every property and attribute exists), checkov and trivy config
# with no finding left without an inline skip, and the AWS consistency rule
# (Terraform and CloudFormation names against the binary's) with its tests.
source "$(dirname "$0")/lib.sh"
source .ci/scanners.sh # lib.sh has moved to the repository root
export CI=true
python_tools deploy/checks/requirements-aws.txt

step "cfn-lint"
cfn-lint deploy/cloudformation/*.yaml

step "checkov (cloudformation)"
run_checkov cloudformation cloudformation deploy/cloudformation

step "trivy config (cloudformation)"
run_trivy_config cloudformation deploy/cloudformation

step "the rates binary (the consistency checks compare the deploy files with its settings)"
cargo build --locked --quiet --bin rates

step "consistency rule: AWS (tests include the repository itself)"
python -m pytest -q -p no:cacheprovider deploy/checks/consistency_rules/test_aws.py
