# One key for what this stack stores at rest: logs, the database, its
# secrets and Performance Insights.
resource "aws_kms_key" "main" {
  description             = "${local.prefix}: logs, database, secrets"
  enable_key_rotation     = true
  deletion_window_in_days = local.prod ? 30 : 7
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.prefix}"
  target_key_id = aws_kms_key.main.key_id
}

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_109: a key policy's "*" resource is this key; the account root administers it through IAM (AWS's default key policy)
  # checkov:skip=CKV_AWS_111: as CKV_AWS_109: a key policy's "*" resource is this key
  # checkov:skip=CKV_AWS_356: as CKV_AWS_109: a key policy's "*" resource is this key
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
  # CloudWatch Logs encrypts this stack's log groups, and only those.
  statement {
    sid       = "LogsEncryptTheStacksGroups"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/ecs/${local.prefix}*"]
    }
  }
}
