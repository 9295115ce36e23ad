# Database administration inside the VNet (the server has no public
# endpoint), as the server's Entra administrator (the dbadmin identity):
#
#   bootstrap (manual): maps the Entra identities to database roles with
#     pgaadauth_create_principal_with_oid, enables pgaudit, then runs
#     `rates db bootstrap` (roles, ownership, grants).
#   rotate (monthly, key_vault mode only): `rates db rotate` publishes the
#     API's next login to Key Vault.
#
# The init container gets an access token from the identity endpoint that
# Container Apps injects (IDENTITY_ENDPOINT, IDENTITY_HEADER) and runs the
# role-mapping SQL with psql (rates has no command for it); `rates` then logs
# in as the same identity with its own `entra_token` source, so no token is
# ever written anywhere.

locals {
  # Entra principals, by role name: the owner always; the API's login too
  # when it is passwordless.
  entra_roles = merge(
    { (local.db_owner_role) = azurerm_user_assigned_identity.this["migrate"].principal_id },
    var.credentials_source == "entra_token" ? { (local.db_api_role) = azurerm_user_assigned_identity.this["api"].principal_id } : {},
  )
  map_roles_sql = join("\n", [for role, oid in local.entra_roles :
    "SELECT pgaadauth_create_principal_with_oid('${role}', '${oid}', 'service', false, false) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}');"
  ])
  dbadmin_script = <<-EOT
    set -eu
    token=$(wget -qO- --header "X-IDENTITY-HEADER: $IDENTITY_HEADER" \
      "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https%3A%2F%2Fossrdbms-aad.database.windows.net&client_id=$AZURE_CLIENT_ID" |
      sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    test -n "$token" || { echo "no token from the managed identity endpoint" >&2; exit 1; }
    export PGPASSWORD="$token"
    psql -v ON_ERROR_STOP=1 -d postgres <<'SQL'
    ${local.map_roles_sql}
    SQL
    psql -v ON_ERROR_STOP=1 -d "$DATABASE" -c 'CREATE EXTENSION IF NOT EXISTS pgaudit'
    echo "roles mapped: ${join(", ", keys(local.entra_roles))}"
  EOT

  dbadmin_jobs = merge(
    { bootstrap = { args = ["db", "bootstrap"], cron = null } },
    var.credentials_source == "key_vault" ? { rotate = { args = ["db", "rotate"], cron = "0 3 1 * *" } } : {},
  )
}

resource "azurerm_container_app_job" "dbadmin" {
  for_each                     = local.dbadmin_jobs
  name                         = "${local.prefix}-db-${each.key}"
  resource_group_name          = data.azurerm_resource_group.this.name
  location                     = data.azurerm_resource_group.this.location
  container_app_environment_id = azurerm_container_app_environment.this.id
  workload_profile_name        = "Consumption"
  replica_timeout_in_seconds   = 600
  replica_retry_limit          = 0
  tags                         = local.tags

  dynamic "manual_trigger_config" {
    for_each = each.value.cron == null ? [1] : []
    content {
      parallelism              = 1
      replica_completion_count = 1
    }
  }

  dynamic "schedule_trigger_config" {
    for_each = each.value.cron == null ? [] : [each.value.cron]
    content {
      cron_expression          = schedule_trigger_config.value
      parallelism              = 1
      replica_completion_count = 1
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.this["dbadmin"].id]
  }

  registry {
    server   = local.registry_server
    identity = azurerm_user_assigned_identity.this["dbadmin"].id
  }

  template {
    init_container {
      name    = "entra-roles"
      image   = "${local.registry_server}/postgres:16-alpine" # az acr import, see the README
      command = ["/bin/sh", "-c", local.dbadmin_script]
      cpu     = 0.25
      memory  = "0.5Gi"
      env {
        name  = "AZURE_CLIENT_ID"
        value = azurerm_user_assigned_identity.this["dbadmin"].client_id
      }
      env {
        name  = "PGHOST"
        value = module.postgres.fqdn
      }
      env {
        name  = "PGUSER"
        value = azurerm_user_assigned_identity.this["dbadmin"].name
      }
      env {
        name  = "PGSSLMODE"
        value = "verify-full"
      }
      env {
        name  = "PGSSLROOTCERT"
        value = "system"
      }
      env {
        name  = "DATABASE"
        value = module.postgres.database_name
      }
    }

    container {
      name   = each.key
      image  = local.image
      args   = each.value.args
      cpu    = 0.25
      memory = "0.5Gi"

      dynamic "env" {
        for_each = merge(
          {
            # The server's Entra administrator, passwordless.
            RATES_DATABASE           = "external"
            RATES_LOG_FORMAT         = "json"
            RATES_CREDENTIALS_SOURCE = "entra_token"
            RATES_AZURE_CREDENTIAL   = "managed_identity"
            RATES_AZURE_CLIENT_ID    = azurerm_user_assigned_identity.this["dbadmin"].client_id
            RATES_DB_HOST            = module.postgres.fqdn
            RATES_DB_USER            = azurerm_user_assigned_identity.this["dbadmin"].name
            RATES_DB_NAME            = module.postgres.database_name
            RATES_DB_SSLMODE         = "verify-full"
          },
          each.key == "rotate" ? {
            RATES_ROTATE_STORE  = "key_vault"
            RATES_KEY_VAULT_URL = azurerm_key_vault.this.vault_uri
          } : {},
        )
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

  depends_on = [azurerm_role_assignment.acr_pull, module.postgres]
}
