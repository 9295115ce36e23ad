# One identity per job to do, so each holds only its own database role:
# api -> rates_api_a (read-only), migrate -> rates_owner (schema owner),
# dbadmin -> the server's Entra administrator (role mapping, bootstrap).
resource "azurerm_user_assigned_identity" "this" {
  for_each            = toset(["api", "migrate", "dbadmin"])
  name                = "${local.prefix}-${each.key}"
  resource_group_name = data.azurerm_resource_group.this.name
  location            = data.azurerm_resource_group.this.location
  tags                = local.tags
}

resource "azurerm_role_assignment" "acr_pull" {
  for_each             = azurerm_user_assigned_identity.this
  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPull"
  principal_id         = each.value.principal_id
  principal_type       = "ServicePrincipal"
}
