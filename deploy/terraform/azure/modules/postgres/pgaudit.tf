# The settings of deploy/postgres/pgaudit.conf as server parameters. Azure
# needs the extension allow-listed and preloaded (the preload change
# restarts the server; pg_stat_statements is preloaded by default and kept);
# `CREATE EXTENSION pgaudit` then runs in the database
# (the README's database set-up step).
locals {
  server_parameters = {
    "azure.extensions"           = "PGAUDIT"
    "shared_preload_libraries"   = "pg_stat_statements,pgaudit"
    "pgaudit.log"                = "ROLE,DDL"
    "pgaudit.log_catalog"        = "off"
    "pgaudit.log_parameter"      = "off"
    "pgaudit.log_relation"       = "on"
    "pgaudit.log_statement_once" = "on"
    "log_connections"            = "on"
    "log_disconnections"         = "on"
    "log_checkpoints"            = "on"
    "connection_throttle.enable" = "on"
    "require_secure_transport"   = "on"
    "ssl_min_protocol_version"   = "TLSv1.2"
  }
}

resource "azurerm_postgresql_flexible_server_configuration" "this" {
  for_each  = local.server_parameters
  server_id = azurerm_postgresql_flexible_server.this.id
  name      = each.key
  value     = each.value
}
