data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

# One customer-managed key for the state bucket and ECR: state holds resource
# attributes (never a database password: the stacks create none), and the key
# policy, not a bucket policy alone, decides who can read it.
resource "aws_kms_key" "bootstrap" {
  description             = "${var.name}: Terraform state and container images"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "bootstrap" {
  name          = "alias/${var.name}-bootstrap"
  target_key_id = aws_kms_key.bootstrap.key_id
}

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_109: a key policy's "*" resource is this key; the account root administers it through IAM (AWS's default key policy)
  # checkov:skip=CKV_AWS_111: as CKV_AWS_109: a key policy's "*" resource is this key
  # checkov:skip=CKV_AWS_356: as CKV_AWS_109: a key policy's "*" resource is this key
  # The account administers the key through IAM (the AWS default key policy).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}
