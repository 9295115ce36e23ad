terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.19"
    }
  }
  # Partial configuration: `terraform init -backend-config=backend.hcl
  # -backend-config=key=ecs/ENV.tfstate`, backend.hcl from the bootstrap
  # stack's `backend_config` output (S3, native lock file).
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = var.name
      Environment = var.environment
      Stack       = "ecs"
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394: the first two AZs of the region; a change in that list would show in the plan as subnet replacements, which a reviewer refuses
  state = "available"
}

locals {
  prefix     = "${var.name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = slice(data.aws_availability_zones.available.names, 0, 2)
  prod       = var.environment == "prod"
}
