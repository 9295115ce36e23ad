output "deploy_client_id" {
  description = "AZURE_CLIENT_ID for CI (GitHub secret, or the Azure Pipelines service connection)."
  value       = azurerm_user_assigned_identity.deploy.client_id
}

output "deploy_principal_id" {
  description = "Object id of the deploy identity: deployer_principal_id in the aks stack's variables."
  value       = azurerm_user_assigned_identity.deploy.principal_id
}

output "tenant_id" {
  value = azurerm_user_assigned_identity.deploy.tenant_id
}

output "resource_groups" {
  description = "Where the application stacks deploy."
  value       = sort([for g in azurerm_resource_group.app : g.name])
}

output "backend_hcl" {
  description = "Partial backend configuration for every stack: terraform init -backend-config=../backend.hcl -backend-config=key=STACK.tfstate"
  value       = <<-EOT
    resource_group_name  = "${azurerm_resource_group.state.name}"
    storage_account_name = "${azurerm_storage_account.state.name}"
    container_name       = "${azurerm_storage_container.tfstate.name}"
    use_azuread_auth     = true
  EOT
}
