# Azure Monitor alerts on the platform's own metrics. The observability
# issue adds the service's alerts (Prometheus rules) here: this file is the
# one place for alert resources.

resource "azurerm_monitor_action_group" "ops" {
  name                = "${local.prefix}-ops"
  resource_group_name = data.azurerm_resource_group.this.name
  short_name          = "ratesops"
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = var.alert_email == null ? [] : [var.alert_email]
    content {
      name                    = "ops"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# Restarts mean failed liveness probes or crashes (out of memory, say).
resource "azurerm_monitor_metric_alert" "restarts" {
  name                = "${local.prefix}-restarts"
  resource_group_name = data.azurerm_resource_group.this.name
  scopes              = [azurerm_container_app.api.id]
  description         = "API replicas restarted more than 3 times in 15 minutes."
  severity            = 2
  frequency           = "PT5M"
  window_size         = "PT15M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.App/containerApps"
    metric_name      = "RestartCount"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 3
  }

  action {
    action_group_id = azurerm_monitor_action_group.ops.id
  }
}

resource "azurerm_monitor_metric_alert" "server_errors" {
  name                = "${local.prefix}-5xx"
  resource_group_name = data.azurerm_resource_group.this.name
  scopes              = [azurerm_container_app.api.id]
  description         = "More than 10 responses with status 5xx in 5 minutes."
  severity            = 2
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.App/containerApps"
    metric_name      = "Requests"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 10

    dimension {
      name     = "statusCodeCategory"
      operator = "Include"
      values   = ["5xx"]
    }
  }

  action {
    action_group_id = azurerm_monitor_action_group.ops.id
  }
}
