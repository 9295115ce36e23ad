output "cluster_name" {
  value = azurerm_kubernetes_cluster.this.name
}

output "resource_group" {
  value = data.azurerm_resource_group.this.name
}

output "oidc_issuer_url" {
  value = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "registry_login_server" {
  value = azurerm_container_registry.this.login_server
}

output "key_vault_name" {
  value = azurerm_key_vault.this.name
}

output "tenant_id" {
  value = data.azurerm_client_config.current.tenant_id
}

output "postgres_fqdn" {
  value = module.postgres.fqdn
}

output "workload_identities" {
  description = "Client ids for the aks overlay's ServiceAccount annotations, object ids for pgaadauth_create_principal_with_oid."
  value = { for k, i in azurerm_user_assigned_identity.workload : k => {
    service_account = local.service_accounts[k], client_id = i.client_id, principal_id = i.principal_id
  } }
}
