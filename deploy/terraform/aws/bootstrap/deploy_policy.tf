# What the deploy role may do: the state, the image repository, and the
# resources of the ECS stack, found by their "${var.name}-" name prefix (and,
# for EC2, whose API names resources by id, by region and Project tag). Read
# only Describe/List calls, which AWS cannot scope to a resource, use "*".
locals {
  arn_prefix = "arn:${local.partition}"
  region_acc = "${var.region}:${local.account_id}"
  prefix     = "${var.name}-"
}

resource "aws_iam_role_policy" "deploy_state_and_images" {
  name   = "state-and-images"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy_state_and_images.json
}

data "aws_iam_policy_document" "deploy_state_and_images" {
  statement {
    sid       = "StateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/*"]
  }
  statement {
    sid       = "StateAndImageKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.bootstrap.arn]
  }
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # AWS: this action has no resource
  }
  statement {
    sid = "EcrPushPull"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
      "ecr:DescribeImages", "ecr:DescribeImageScanFindings", "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.rates.arn]
  }
}

resource "aws_iam_role_policy" "deploy_ecs_stack" {
  name   = "ecs-stack"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy_ecs_stack.json
}

data "aws_iam_policy_document" "deploy_ecs_stack" {
  # checkov:skip=CKV_AWS_356: only Describe/List and ecs:RegisterTaskDefinition-type calls, which AWS cannot scope to a resource, use "*" (and EC2, scoped by region and Project tag)
  statement {
    sid = "ReadOnlyDescribe"
    actions = [
      "application-autoscaling:Describe*", "cloudwatch:DescribeAlarms", "ec2:Describe*",
      "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "elasticloadbalancing:Describe*",
      "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "kms:ListAliases",
      "logs:DescribeLogGroups", "rds:Describe*", "rds:ListTagsForResource", "secretsmanager:ListSecrets",
    ]
    resources = ["*"] # AWS: Describe/List calls have no resource
  }
  statement {
    sid = "TaskDefinitions"
    # AWS: register/deregister cannot be scoped to a family.
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:TagResource"]
    resources = ["*"]
  }
  statement {
    sid     = "Ecs"
    actions = ["ecs:*"]
    resources = [
      "${local.arn_prefix}:ecs:${local.region_acc}:cluster/${local.prefix}*",
      "${local.arn_prefix}:ecs:${local.region_acc}:service/${local.prefix}*/*",
      "${local.arn_prefix}:ecs:${local.region_acc}:task/${local.prefix}*/*",
      "${local.arn_prefix}:ecs:${local.region_acc}:task-definition/${local.prefix}*:*",
    ]
  }
  statement {
    sid     = "RolesOfTheStack"
    actions = ["iam:*"]
    resources = [
      "${local.arn_prefix}:iam::${local.account_id}:role/${local.prefix}*",
      "${local.arn_prefix}:iam::${local.account_id}:policy/${local.prefix}*",
    ]
  }
  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn_prefix}:iam::${local.account_id}:role/aws-service-role/*"]
    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values = [
        "ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
      ]
    }
  }
  statement {
    sid       = "PassRolesToTasks"
    actions   = ["iam:PassRole"]
    resources = ["${local.arn_prefix}:iam::${local.account_id}:role/${local.prefix}*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com", "monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com"]
    }
  }
  statement {
    sid     = "Logs"
    actions = ["logs:*"]
    resources = [
      "${local.arn_prefix}:logs:${local.region_acc}:log-group:/ecs/${local.prefix}*",
      "${local.arn_prefix}:logs:${local.region_acc}:log-group:/aws/rds/instance/${local.prefix}*",
    ]
  }
  statement {
    sid     = "LoadBalancer"
    actions = ["elasticloadbalancing:*"]
    resources = [
      "${local.arn_prefix}:elasticloadbalancing:${local.region_acc}:loadbalancer/app/${local.prefix}*/*",
      "${local.arn_prefix}:elasticloadbalancing:${local.region_acc}:listener/app/${local.prefix}*/*",
      "${local.arn_prefix}:elasticloadbalancing:${local.region_acc}:listener-rule/app/${local.prefix}*/*",
      "${local.arn_prefix}:elasticloadbalancing:${local.region_acc}:targetgroup/${local.prefix}*/*",
    ]
  }
  statement {
    sid     = "Database"
    actions = ["rds:*"]
    resources = [
      "${local.arn_prefix}:rds:${local.region_acc}:db:${local.prefix}*",
      "${local.arn_prefix}:rds:${local.region_acc}:pg:${local.prefix}*",
      "${local.arn_prefix}:rds:${local.region_acc}:subgrp:${local.prefix}*",
      "${local.arn_prefix}:rds:${local.region_acc}:snapshot:${local.prefix}*",
      "${local.arn_prefix}:rds:${local.region_acc}:og:default:*",
    ]
  }
  statement {
    sid = "RdsManagedMasterSecret"
    # RDS creates the master password's secret (rds!db-...) as the caller.
    actions = [
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
      "secretsmanager:RotateSecret", "secretsmanager:TagResource",
    ]
    resources = ["${local.arn_prefix}:secretsmanager:${local.region_acc}:secret:rds!*"]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:*"]
    resources = ["${local.arn_prefix}:secretsmanager:${local.region_acc}:secret:${var.name}/*"]
  }
  statement {
    sid       = "Alarms"
    actions   = ["cloudwatch:*"]
    resources = ["${local.arn_prefix}:cloudwatch:${local.region_acc}:alarm:${local.prefix}*"]
  }
  statement {
    sid       = "Autoscaling"
    actions   = ["application-autoscaling:*"]
    resources = ["${local.arn_prefix}:application-autoscaling:${local.region_acc}:scalable-target/*"]
  }
  statement {
    sid       = "StackKeys"
    actions   = ["kms:*"]
    resources = ["${local.arn_prefix}:kms:${local.region_acc}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.name]
    }
  }
  statement {
    sid       = "CreateStackKeys"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"] # AWS: CreateKey has no resource; the tag condition scopes it
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.name]
    }
  }
  statement {
    sid     = "StackKeyAliases"
    actions = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = [
      "${local.arn_prefix}:kms:${local.region_acc}:alias/${local.prefix}*",
      "${local.arn_prefix}:kms:${local.region_acc}:key/*",
    ]
  }
  statement {
    sid = "Network"
    # EC2 names VPC resources by generated ids, so the scope is this region
    # and, for resources that already exist, the Project tag every resource of
    # the stack carries (provider default_tags).
    actions   = ["ec2:*"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/Project"
      values   = [var.name]
    }
  }
}
