locals {
  prefix = "${var.name}-aca-${var.environment}"
  tags   = { app = var.name, stack = "container-apps", environment = var.environment }
  # The contract: port, probes, roles (deploy/checks/consistency_rules/azure.py
  # checks these against the binary).
  port            = 3000
  shutdown_delay  = 5
  shutdown_grace  = 20
  db_api_role     = "rates_api_a"
  db_owner_role   = "rates_owner"
  entra_api_user  = local.db_api_role
  registry_server = azurerm_container_registry.this.login_server
  image           = coalesce(var.image, "${azurerm_container_registry.this.login_server}/rates:initial")
}
