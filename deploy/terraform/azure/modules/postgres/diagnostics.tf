resource "azurerm_monitor_diagnostic_setting" "postgres" {
  name                       = "${var.name}-logs"
  target_resource_id         = azurerm_postgresql_flexible_server.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  # PostgreSQLLogs carries the server log, so the pgaudit lines too.
  enabled_log {
    category_group = "allLogs"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}
