# The API and its one-shot tasks (migrate, bootstrap, rotate), all from the
# same image. Settings are the binary's environment variables (contract);
# only the admin one-shots get a secret from ECS, see below.
locals {
  image = "${var.ecr_repository_url}:${var.image_tag}"
  # The process exits within delay + grace + 1 s; ECS's SIGKILL comes later.
  stop_timeout = var.shutdown_delay_secs + var.shutdown_grace_secs + 5
  image_uid    = 65532

  db_env = {
    RATES_DATABASE   = "external"
    RATES_LOG_FORMAT = "json"
    RATES_DB_HOST    = aws_db_instance.main.address
    RATES_DB_PORT    = tostring(aws_db_instance.main.port)
    RATES_DB_NAME    = local.db_name
    # TLS always (rds.force_ssl). Not verify-full: the RDS CA is not in the
    # image's public trust store (README: ECS Fargate).
    RATES_DB_SSLMODE = "require"
  }

  credentials_env = {
    rds_iam = {
      RATES_CREDENTIALS_SOURCE = "rds_iam"
      RATES_DB_USER            = local.api_logins[0]
      RATES_RDS_IAM_REGION     = var.region
    }
    # The app reads the secret itself and re-reads it every 300 s and on a
    # refused login, so a rotation reaches running tasks. ECS `secrets`
    # injection would freeze the value at task start.
    secrets_manager = {
      RATES_CREDENTIALS_SOURCE        = "secrets_manager"
      RATES_SECRETS_MANAGER_SECRET_ID = aws_secretsmanager_secret.api.arn
      RATES_SECRETS_MANAGER_REGION    = var.region
    }
  }

  api_env = merge(local.db_env, local.credentials_env[var.credentials_source], {
    RATES_MIGRATE             = "false"
    RATES_SHUTDOWN_DELAY_SECS = tostring(var.shutdown_delay_secs)
    RATES_SHUTDOWN_GRACE_SECS = tostring(var.shutdown_grace_secs)
  })

  # The admin one-shots log in as the RDS master user. The binary reads an
  # administrator's password from the environment only, so ECS injects it at
  # task start from the RDS-managed secret: acceptable for a task that lives
  # seconds (each run reads the current master password), never for the API.
  master_secret = aws_db_instance.main.master_user_secret[0].secret_arn
  admin_secrets = [
    { name = "PGUSER", valueFrom = "${local.master_secret}:username::" },
    { name = "PGPASSWORD", valueFrom = "${local.master_secret}:password::" },
  ]

  one_shot = {
    # Schema migrations as the owner, through an RDS IAM token: the owner
    # never has a password. deploy-aws.yml runs it before each release.
    migrate = {
      command   = ["migrate"]
      env       = merge(local.db_env, local.credentials_env.rds_iam, { RATES_DB_USER = local.roles.owner })
      secrets   = []
      task_role = aws_iam_role.migrate.arn
      execution = aws_iam_role.execution.arn
    }
    # Roles and grants (idempotent), once after the database is created.
    bootstrap = {
      command = ["db", "bootstrap"]
      # The owner migrates with IAM tokens; the API's logins too in rds_iam mode.
      env = merge(local.db_env, {
        RATES_BOOTSTRAP_RDS_IAM = var.credentials_source == "rds_iam" ? "all" : "owner"
      })
      secrets   = local.admin_secrets
      task_role = null
      execution = aws_iam_role.admin_execution.arn
    }
    # Alternating users, published to the API's secret
    # (rotate-db-credentials.yml); registered in secrets_manager mode only.
    rotate = {
      command = ["db", "rotate"]
      # The master user logs in (static, injected below); the API's secret
      # is only the store rotation publishes to.
      env = merge(local.db_env, {
        RATES_ROTATE_STORE              = "secrets_manager"
        RATES_SECRETS_MANAGER_SECRET_ID = aws_secretsmanager_secret.api.arn
        RATES_SECRETS_MANAGER_REGION    = var.region
      })
      secrets   = local.admin_secrets
      task_role = aws_iam_role.rotate.arn
      execution = aws_iam_role.admin_execution.arn
    }
  }
  # Names, not the objects above: their attribute types differ, which a
  # conditional or for_each over them would have to unify.
  one_shot_tasks = concat(["migrate", "bootstrap"], var.credentials_source == "secrets_manager" ? ["rotate"] : [])

  container_base = {
    name                   = "rates"
    image                  = local.image
    essential              = true
    user                   = "${local.image_uid}:${local.image_uid}"
    readonlyRootFilesystem = true
    privileged             = false
    linuxParameters        = { capabilities = { drop = ["ALL"] } }
  }
}

resource "aws_ecs_task_definition" "api" {
  family                   = "${local.prefix}-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.api.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }
  container_definitions = jsonencode([merge(local.container_base, {
    command      = ["serve"]
    portMappings = [{ containerPort = local.container_port, protocol = "tcp" }]
    environment  = [for k, v in local.api_env : { name = k, value = v }]
    stopTimeout  = local.stop_timeout
    healthCheck = {
      command     = ["CMD", "/usr/local/bin/rates", "healthcheck"]
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = var.health_check_grace_secs
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.tasks.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "api"
      }
    }
  })])
}

resource "aws_ecs_task_definition" "one_shot" {
  for_each                 = toset(local.one_shot_tasks)
  family                   = "${local.prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = local.one_shot[each.key].execution
  task_role_arn            = local.one_shot[each.key].task_role
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }
  container_definitions = jsonencode([merge(local.container_base, {
    command     = local.one_shot[each.key].command
    environment = [for k, v in local.one_shot[each.key].env : { name = k, value = v }]
    secrets     = local.one_shot[each.key].secrets
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.tasks.name
        awslogs-region        = var.region
        awslogs-stream-prefix = each.key
      }
    }
  })])
}
