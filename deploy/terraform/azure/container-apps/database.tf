module "postgres" {
  source                       = "../modules/postgres"
  name                         = "${local.prefix}-${var.unique_suffix}"
  resource_group_name          = data.azurerm_resource_group.this.name
  location                     = data.azurerm_resource_group.this.location
  virtual_network_id           = azurerm_virtual_network.this.id
  delegated_subnet_id          = azurerm_subnet.postgres.id
  tenant_id                    = data.azurerm_client_config.current.tenant_id
  password_auth_enabled        = var.credentials_source == "key_vault"
  administrator_password       = var.postgres_admin_password
  sku_name                     = var.postgres.sku_name
  storage_mb                   = var.postgres.storage_mb
  backup_retention_days        = var.postgres.backup_retention_days
  geo_redundant_backup_enabled = var.postgres.geo_redundant_backup_enabled
  high_availability            = var.postgres.high_availability
  log_analytics_workspace_id   = azurerm_log_analytics_workspace.this.id
  tags                         = local.tags
  entra_admin = {
    principal_name = azurerm_user_assigned_identity.this["dbadmin"].name
    object_id      = azurerm_user_assigned_identity.this["dbadmin"].principal_id
    principal_type = "ServicePrincipal"
  }
}
