# For credentials_source = "key_vault": the API reads host, database, user and
# password from four secrets (`rates db rotate` with RATES_ROTATE_STORE=key_vault
# publishes them). RBAC only, no access policies.
# AZU-0013: default action Allow: the workloads reach the vault without private endpoints; RBAC decides.
#trivy:ignore:AZU-0013
resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV_AZURE_189:Container Apps without private endpoints reach the vault over its public endpoint; RBAC guards it
  #checkov:skip=CKV_AZURE_109:see CKV_AZURE_189: the network ACL allows Azure services and RBAC decides
  #checkov:skip=CKV2_AZURE_32:no private endpoint, as above
  name                       = "${substr(replace(local.prefix, "-", ""), 0, 16)}${var.unique_suffix}"
  resource_group_name        = data.azurerm_resource_group.this.name
  location                   = data.azurerm_resource_group.this.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  purge_protection_enabled   = true
  soft_delete_retention_days = 30
  tags                       = local.tags

  network_acls {
    bypass         = "AzureServices"
    default_action = "Allow"
  }
}

resource "azurerm_role_assignment" "api_reads_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.this["api"].principal_id
  principal_type       = "ServicePrincipal"
}

# The rotation job publishes the API's new login to the vault.
resource "azurerm_role_assignment" "dbadmin_writes_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = azurerm_user_assigned_identity.this["dbadmin"].principal_id
  principal_type       = "ServicePrincipal"
}
