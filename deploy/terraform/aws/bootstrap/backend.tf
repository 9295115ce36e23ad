# This stack creates the bucket its own state moves to: the first apply runs
# with local state (a git-ignored backend_override.tf says `backend "local"`),
# then `terraform init -migrate-state` moves it here. README: ECS Fargate.
terraform {
  backend "s3" {}
}
