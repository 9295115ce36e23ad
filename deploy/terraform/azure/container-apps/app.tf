resource "azurerm_container_app" "api" {
  name                         = "${local.prefix}-api"
  resource_group_name          = data.azurerm_resource_group.this.name
  container_app_environment_id = azurerm_container_app_environment.this.id
  workload_profile_name        = "Consumption"
  # One revision at a time: a new image replaces the old revision once the
  # new one is ready (readiness gates the switch).
  revision_mode = "Single"
  tags          = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["api"].id]
  }

  registry {
    server   = local.registry_server
    identity = azurerm_user_assigned_identity.this["api"].id
  }

  ingress {
    external_enabled           = true
    allow_insecure_connections = false # HTTPS only; HTTP is redirected
    target_port                = local.port
    transport                  = "http" # the server speaks HTTP/1.1
    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas
    # Longer than shutdown delay + grace + 1 s, so the server exits by itself.
    termination_grace_period_seconds = local.shutdown_delay + local.shutdown_grace + 5

    http_scale_rule {
      name                = "http"
      concurrent_requests = "50"
    }

    container {
      name   = "api"
      image  = local.image
      args   = ["serve"]
      cpu    = var.cpu
      memory = var.memory

      dynamic "env" {
        for_each = local.api_env
        content {
          name  = env.key
          value = env.value
        }
      }

      # Up as soon as the process answers; never asks the database.
      startup_probe {
        transport               = "HTTP"
        port                    = local.port
        path                    = "/livez"
        interval_seconds        = 3
        failure_count_threshold = 10
      }

      liveness_probe {
        transport               = "HTTP"
        port                    = local.port
        path                    = "/livez"
        interval_seconds        = 10
        failure_count_threshold = 3
      }

      # 503 while loading, draining, or when data is stale: out of rotation.
      readiness_probe {
        transport               = "HTTP"
        port                    = local.port
        path                    = "/readyz"
        interval_seconds        = 5
        failure_count_threshold = 3
      }
    }
  }

  lifecycle {
    # CI owns the image (az containerapp update --image ...@sha256:...).
    ignore_changes = [template[0].container[0].image]
  }

  depends_on = [azurerm_role_assignment.acr_pull]
}
