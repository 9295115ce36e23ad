output "url" {
  value = "https://${azurerm_container_app.api.ingress[0].fqdn}"
}

output "app_name" {
  value = azurerm_container_app.api.name
}

output "resource_group" {
  value = data.azurerm_resource_group.this.name
}

output "registry" {
  value = azurerm_container_registry.this.name
}

output "registry_login_server" {
  value = azurerm_container_registry.this.login_server
}

output "migrate_job" {
  value = azurerm_container_app_job.migrate.name
}

output "dbadmin_jobs" {
  value = { for k, j in azurerm_container_app_job.dbadmin : k => j.name }
}

output "postgres_fqdn" {
  value = module.postgres.fqdn
}

output "key_vault_url" {
  value = azurerm_key_vault.this.vault_uri
}

output "identities" {
  description = "Client and object ids of the API, migrate and dbadmin identities."
  value = { for k, i in azurerm_user_assigned_identity.this : k => {
    name = i.name, client_id = i.client_id, principal_id = i.principal_id
  } }
}
