output "deploy_role_arn" {
  description = "GitHub variable AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.deploy.arn
}

output "ecr_repository_url" {
  description = "GitHub variable AWS_ECR_REPOSITORY (and the stacks' image repository)."
  value       = aws_ecr_repository.rates.repository_url
}

output "state_bucket" {
  description = "GitHub variable TF_STATE_BUCKET."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  value = aws_kms_key.bootstrap.arn
}

# `terraform output -raw backend_config > backend.hcl`, then
# `terraform init -backend-config=backend.hcl -backend-config=key=STACK.tfstate`.
output "backend_config" {
  value = <<-EOT
    bucket       = "${aws_s3_bucket.state.bucket}"
    region       = "${var.region}"
    encrypt      = true
    kms_key_id   = "${aws_kms_key.bootstrap.arn}"
    use_lockfile = true
  EOT
}
