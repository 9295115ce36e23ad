resource "azurerm_log_analytics_workspace" "this" {
  name                = "${local.prefix}-logs"
  resource_group_name = data.azurerm_resource_group.this.name
  location            = data.azurerm_resource_group.this.location
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  tags                = local.tags
}
