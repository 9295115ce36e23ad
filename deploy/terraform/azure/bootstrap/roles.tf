# Least privilege for the deploy identity: read and write the state blobs;
# manage resources in the application resource groups only; and assign, in
# those groups, only the roles the stacks grant their own identities (to
# service principals only, so it can never make itself or a person Owner).
data "azurerm_role_definition" "assignable" {
  for_each = toset([
    "AcrPull",
    "Key Vault Secrets User",
    "Key Vault Secrets Officer",
    "Azure Kubernetes Service RBAC Admin",
    "Azure Kubernetes Service Cluster User Role",
  ])
  name = each.value
}

locals {
  assignable = join(", ", [for r in data.azurerm_role_definition.assignable : basename(r.id)])
  # Delegated role assignment management (Azure ABAC condition, version 2.0).
  assign_condition = join(" ", [
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR",
    "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable}}",
    "AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))",
    "AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR",
    "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable}}))",
  ])
}

resource "azurerm_role_assignment" "state" {
  scope                = azurerm_storage_container.tfstate.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "contributor" {
  for_each             = azurerm_resource_group.app
  scope                = each.value.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "assign_app_roles" {
  for_each             = azurerm_resource_group.app
  scope                = each.value.id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
  condition_version    = "2.0"
  condition            = local.assign_condition
}
