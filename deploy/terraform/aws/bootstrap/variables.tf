variable "region" {
  description = "AWS region of the state bucket, the ECR repository and the stacks."
  type        = string
}

variable "name" {
  description = "Prefix of every resource name; the deploy role may only touch resources with this prefix."
  type        = string
  default     = "rates"
}

variable "github_repository" {
  description = "OWNER/REPO whose workflows may assume the deploy role."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "Use OWNER/REPO."
  }
}

variable "create_github_oidc_provider" {
  description = "False when the account already has the token.actions.githubusercontent.com provider (one per account)."
  type        = bool
  default     = true
}

variable "state_noncurrent_days" {
  description = "How long superseded state versions are kept (recovery from a bad apply)."
  type        = number
  default     = 90
}
