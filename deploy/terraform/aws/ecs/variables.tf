variable "region" {
  description = "AWS region (the bootstrap stack's)."
  type        = string
}

variable "name" {
  description = "Name prefix; the bootstrap deploy role only manages resources named \"NAME-*\"."
  type        = string
  default     = "rates"
}

variable "environment" {
  description = "dev or prod: names, sizes and deletion protection follow it."
  type        = string
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment is dev or prod."
  }
}

variable "ecr_repository_url" {
  description = "The bootstrap stack's ecr_repository_url."
  type        = string
}

# The image tag is CI's: deploy-aws.yml passes the release it deploys on every
# plan. No default, so no plan can silently fall back to an older image; a
# person planning by hand passes the deployed one:
# -var image_tag="$(terraform output -raw image_tag)".
variable "image_tag" {
  description = "Release tag of the image in ECR (v1.2.3), set by CI on every plan."
  type        = string
  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+", var.image_tag))
    error_message = "image_tag is a release tag such as v1.2.3 (ECR tags are immutable; never latest)."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the ALB's HTTPS listener (same region)."
  type        = string
}

variable "credentials_source" {
  description = "How the API logs in: rds_iam (IAM token, nothing to rotate) or secrets_manager (the app reads the secret that `rates db rotate` writes)."
  type        = string
  default     = "rds_iam"
  validation {
    condition     = contains(["rds_iam", "secrets_manager"], var.credentials_source)
    error_message = "credentials_source is rds_iam or secrets_manager."
  }
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "endpoint_az_count" {
  description = "AZs with interface VPC endpoints (1 halves their cost; tasks in the other AZ then cross zones for AWS APIs)."
  type        = number
  default     = 2
}

variable "cpu_architecture" {
  description = "ARM64 (Graviton, ~20% cheaper) or X86_64; the release image is built for both."
  type        = string
  default     = "ARM64"
}

variable "task_cpu" {
  type    = number
  default = 256
}

variable "task_memory" {
  description = "MiB. The contract's sizing: 256 MiB requested and 512 MiB limit for 10M prices over a year."
  type        = number
  default     = 512
}

variable "min_tasks" {
  type    = number
  default = 2
}

variable "max_tasks" {
  type    = number
  default = 6
}

variable "requests_per_target" {
  description = "Target tracking: ALB requests per task per minute."
  type        = number
  default     = 3000
}

variable "shutdown_delay_secs" {
  description = "The target group's deregistration delay and the server's RATES_SHUTDOWN_DELAY_SECS: the same number, so a task keeps serving until the ALB stops sending to it."
  type        = number
  default     = 10
}

variable "shutdown_grace_secs" {
  description = "RATES_SHUTDOWN_GRACE_SECS: in-flight requests' time after the delay."
  type        = number
  default     = 20
}

variable "health_check_grace_secs" {
  description = "ECS ignores failing ALB health checks this long after a task starts (the read model loads first)."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.micro"
}

variable "db_allocated_storage" {
  type    = number
  default = 20
}

variable "db_engine_version" {
  description = "PostgreSQL major version (the parameter group family follows it)."
  type        = string
  default     = "17"
}

variable "db_multi_az" {
  type    = bool
  default = false
}

variable "db_performance_insights" {
  description = "Performance Insights (7 days free); off where the instance class does not offer it."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  type    = number
  default = 7
}

variable "alarm_topic_arn" {
  description = "SNS topic the alarms notify (empty: alarms only show in the console)."
  type        = string
  default     = ""
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket for ALB access logs (none: off)."
  type        = string
  default     = null
}
