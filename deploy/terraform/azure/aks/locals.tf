locals {
  prefix = "${var.name}-aks-${var.environment}"
  tags   = { app = var.name, stack = "aks", environment = var.environment }
  # The ServiceAccounts of deploy/kubernetes (base and the aks overlay): each
  # gets its own identity, so each pod holds only its own database role.
  service_accounts = {
    api     = "rates-api"     # serve: rates_api_a
    migrate = "rates-migrate" # migrate: rates_owner
  }
}
