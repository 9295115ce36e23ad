# RDS PostgreSQL in the isolated subnets: no route anywhere, reachable from
# the tasks' security group only; encrypted; IAM authentication on; TLS
# forced; pgaudit loaded. The master password is RDS-managed (Secrets
# Manager, rotated by RDS) and only the admin one-shot tasks read it.
locals {
  # Contract role names (`db.role_prefix` = rates).
  roles      = { owner = "rates_owner", api = "rates_api" }
  api_logins = ["rates_api_a", "rates_api_b"]
  db_name    = "rates"
}

resource "aws_db_subnet_group" "main" {
  name       = "${local.prefix}-db"
  subnet_ids = aws_subnet.isolated[*].id
}

resource "aws_db_parameter_group" "main" {
  name   = "${local.prefix}-postgres${var.db_engine_version}"
  family = "postgres${var.db_engine_version}"
  # deploy/postgres/pgaudit.conf, as RDS parameters. log_line_prefix is not
  # modifiable on RDS; its fixed prefix already names user and database.
  parameter {
    name         = "shared_preload_libraries"
    value        = "pgaudit,pg_stat_statements"
    apply_method = "pending-reboot"
  }
  parameter {
    name  = "pgaudit.log"
    value = "role,ddl"
  }
  parameter {
    name  = "pgaudit.role"
    value = "rds_pgaudit"
  }
  parameter {
    name  = "pgaudit.log_catalog"
    value = "0"
  }
  parameter {
    name  = "pgaudit.log_parameter"
    value = "0"
  }
  parameter {
    name  = "pgaudit.log_relation"
    value = "1"
  }
  parameter {
    name  = "pgaudit.log_statement_once"
    value = "1"
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  lifecycle {
    create_before_destroy = true
  }
}

# Deletion protection is on in prod; dev must be destroyable by `terraform destroy`.
# trivy:ignore:AWS-0177
resource "aws_db_instance" "main" {
  # checkov:skip=CKV_AWS_157: Multi-AZ is db_multi_az, on in prod.tfvars; dev saves the standby's cost
  # checkov:skip=CKV2_AWS_30: statement logging is pgaudit's job here (role and DDL for all, every statement of the API's logins), see the parameter group
  identifier                            = "${local.prefix}-db"
  engine                                = "postgres"
  engine_version                        = var.db_engine_version
  instance_class                        = var.db_instance_class
  allocated_storage                     = var.db_allocated_storage
  max_allocated_storage                 = var.db_allocated_storage * 4
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = aws_kms_key.main.arn
  db_name                               = local.db_name
  username                              = "rates_admin"
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = aws_kms_key.main.arn
  iam_database_authentication_enabled   = true
  db_subnet_group_name                  = aws_db_subnet_group.main.name
  vpc_security_group_ids                = [aws_security_group.db.id]
  parameter_group_name                  = aws_db_parameter_group.main.name
  publicly_accessible                   = false
  multi_az                              = var.db_multi_az
  ca_cert_identifier                    = "rds-ca-rsa2048-g1"
  backup_retention_period               = var.db_backup_retention_days
  copy_tags_to_snapshot                 = true
  deletion_protection                   = local.prod
  skip_final_snapshot                   = !local.prod
  final_snapshot_identifier             = "${local.prefix}-db-final"
  auto_minor_version_upgrade            = true
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_enabled          = var.db_performance_insights
  performance_insights_kms_key_id       = var.db_performance_insights ? aws_kms_key.main.arn : null
  performance_insights_retention_period = var.db_performance_insights ? 7 : null
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  apply_immediately                     = !local.prod
}

resource "aws_iam_role" "rds_monitoring" {
  name = "${local.prefix}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# The API's login in secrets_manager mode. Terraform creates the secret
# empty; `rates db rotate` (the rotate task) writes every version, so no
# password ever passes through Terraform state. Created in both modes so
# switching credentials_source needs no new resource.
resource "aws_secretsmanager_secret" "api" {
  # checkov:skip=CKV2_AWS_57: rotation is `rates db rotate` (alternating users), scheduled by rotate-db-credentials.yml, not a rotation Lambda
  name                    = "${var.name}/${var.environment}/api"
  description             = "rates API database login (username, password, host, port, dbname), written by rates db rotate"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = local.prod ? 30 : 7
}
