# Workload identity: one user-assigned identity per ServiceAccount, trusted
# only for that ServiceAccount's tokens from this cluster's OIDC issuer.
resource "azurerm_user_assigned_identity" "workload" {
  for_each            = local.service_accounts
  name                = "${local.prefix}-${each.key}"
  resource_group_name = data.azurerm_resource_group.this.name
  location            = data.azurerm_resource_group.this.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  for_each            = local.service_accounts
  name                = "${local.prefix}-${each.key}"
  resource_group_name = data.azurerm_resource_group.this.name
  parent_id           = azurerm_user_assigned_identity.workload[each.key].id
  issuer              = azurerm_kubernetes_cluster.this.oidc_issuer_url
  subject             = "system:serviceaccount:${var.namespace}:${each.value}"
  audience            = ["api://AzureADTokenExchange"]
}

# CI may deploy to the application's namespace only.
resource "azurerm_role_assignment" "deployer_namespace" {
  scope                = "${azurerm_kubernetes_cluster.this.id}/namespaces/${var.namespace}"
  role_definition_name = "Azure Kubernetes Service RBAC Admin"
  principal_id         = var.deployer_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deployer_credentials" {
  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = var.deployer_principal_id
  principal_type       = "ServicePrincipal"
}
