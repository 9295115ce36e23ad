# Four roles, each with only what its task does:
# - execution: ECS pulls the image and writes the logs (every task);
# - admin_execution: the same, plus the RDS master secret injected into the
#   one-shot admin tasks (bootstrap, rotate); the API's tasks cannot read it;
# - api: the API's own AWS calls (an RDS IAM token, or its Secrets Manager secret);
# - migrate: an RDS IAM token as the schema owner, nothing else.
locals {
  ecr_repository_name = element(split("/", var.ecr_repository_url), 1)
  ecr_repository_arn  = "arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/${local.ecr_repository_name}"
  # rds-db:connect names the instance by its resource id (db-XXXX), not its ARN.
  dbuser_arn = "arn:${local.partition}:rds-db:${var.region}:${local.account_id}:dbuser:${aws_db_instance.main.resource_id}"
}

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "pull_and_log" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # AWS: this action has no resource
  }
  statement {
    sid       = "PullTheImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.ecr_repository_arn]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.tasks.arn}:*"]
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.prefix}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.pull_and_log.json
}

resource "aws_iam_role" "admin_execution" {
  name               = "${local.prefix}-admin-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "admin_execution" {
  name   = "pull-log-and-master-secret"
  role   = aws_iam_role.admin_execution.id
  policy = data.aws_iam_policy_document.admin_execution.json
}

data "aws_iam_policy_document" "admin_execution" {
  source_policy_documents = [data.aws_iam_policy_document.pull_and_log.json]
  statement {
    sid       = "MasterSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_db_instance.main.master_user_secret[0].secret_arn]
  }
  statement {
    sid       = "DecryptMasterSecret"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role" "api" {
  name               = "${local.prefix}-api"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "api" {
  name   = "database-login"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

data "aws_iam_policy_document" "api" {
  dynamic "statement" {
    for_each = var.credentials_source == "rds_iam" ? [1] : []
    content {
      sid       = "RdsIamLoginAsTheApi"
      actions   = ["rds-db:connect"]
      resources = [for login in local.api_logins : "${local.dbuser_arn}/${login}"]
    }
  }
  dynamic "statement" {
    for_each = var.credentials_source == "secrets_manager" ? [1] : []
    content {
      sid       = "ReadTheApiSecret"
      actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      resources = [aws_secretsmanager_secret.api.arn]
    }
  }
  dynamic "statement" {
    for_each = var.credentials_source == "secrets_manager" ? [1] : []
    content {
      sid       = "DecryptTheApiSecret"
      actions   = ["kms:Decrypt"]
      resources = [aws_kms_key.main.arn]
    }
  }
}

resource "aws_iam_role" "migrate" {
  name               = "${local.prefix}-migrate"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "migrate" {
  name = "database-login-as-owner"
  role = aws_iam_role.migrate.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "RdsIamLoginAsTheOwner"
      Effect   = "Allow"
      Action   = "rds-db:connect"
      Resource = "${local.dbuser_arn}/${local.roles.owner}"
    }]
  })
}

# `rates db rotate` reads which login is current and publishes the next one.
resource "aws_iam_role" "rotate" {
  name               = "${local.prefix}-rotate"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy" "rotate" {
  name = "publish-the-api-secret"
  role = aws_iam_role.rotate.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadAndWriteTheApiSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"]
        Resource = aws_secretsmanager_secret.api.arn
      },
      {
        Sid      = "EncryptTheApiSecret"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = aws_kms_key.main.arn
      },
    ]
  })
}
