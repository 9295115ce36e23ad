# Migrations run here, once per release, as the schema owner; never in the
# API's replicas (RATES_MIGRATE=false there).
resource "azurerm_container_app_job" "migrate" {
  name                         = "${local.prefix}-migrate"
  resource_group_name          = data.azurerm_resource_group.this.name
  location                     = data.azurerm_resource_group.this.location
  container_app_environment_id = azurerm_container_app_environment.this.id
  workload_profile_name        = "Consumption"
  replica_timeout_in_seconds   = 900
  replica_retry_limit          = 1
  tags                         = local.tags

  manual_trigger_config {
    parallelism              = 1
    replica_completion_count = 1
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["migrate"].id]
  }

  registry {
    server   = local.registry_server
    identity = azurerm_user_assigned_identity.this["migrate"].id
  }

  template {
    container {
      name   = "migrate"
      image  = local.image
      args   = ["migrate"]
      cpu    = 0.25
      memory = "0.5Gi"

      dynamic "env" {
        for_each = local.migrate_env
        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].container[0].image]
  }

  depends_on = [azurerm_role_assignment.acr_pull]
}
