output "fqdn" {
  value = azurerm_postgresql_flexible_server.this.fqdn
}

output "server_id" {
  value = azurerm_postgresql_flexible_server.this.id
}

output "database_name" {
  value = azurerm_postgresql_flexible_server_database.rates.name
}
