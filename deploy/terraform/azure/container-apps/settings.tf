# Environment of each container, by the names of the binary's contract.
# Nothing secret: passwordless tokens come from the identity at run time.
locals {
  common_env = {
    RATES_DATABASE         = "external"
    RATES_LOG_FORMAT       = "json"
    RATES_AZURE_CREDENTIAL = "managed_identity"
    RATES_DB_SSLMODE       = "verify-full"
  }
  database_env = {
    RATES_DB_HOST = module.postgres.fqdn
    RATES_DB_NAME = module.postgres.database_name
  }

  api_env = merge(
    local.common_env,
    {
      RATES_MIGRATE             = "false" # migrations run in the migrate job only
      RATES_SHUTDOWN_DELAY_SECS = tostring(local.shutdown_delay)
      RATES_SHUTDOWN_GRACE_SECS = tostring(local.shutdown_grace)
      RATES_AZURE_CLIENT_ID     = azurerm_user_assigned_identity.this["api"].client_id
      RATES_CREDENTIALS_SOURCE  = var.credentials_source
    },
    var.credentials_source == "entra_token"
    ? merge(local.database_env, { RATES_DB_USER = local.db_api_role })
    : { RATES_KEY_VAULT_URL = azurerm_key_vault.this.vault_uri },
  )

  # The migrate job logs in as the schema owner, an Entra principal in both modes.
  migrate_env = merge(local.common_env, local.database_env, {
    RATES_CREDENTIALS_SOURCE = "entra_token"
    RATES_AZURE_CLIENT_ID    = azurerm_user_assigned_identity.this["migrate"].client_id
    RATES_DB_USER            = local.db_owner_role
  })
}
