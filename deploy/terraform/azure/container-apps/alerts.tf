# Azure Monitor alerts: the platform's own metrics where they exist
# (restarts, 5xx responses, replicas), and log-search alerts on the API's
# JSON log lines in Log Analytics for what only the service knows. They
# mirror deploy/observability/alerts.yml (same thresholds); this file is
# the one place for alert resources.

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

# No replica running for 5 minutes (crash loop, failed revision, quota):
# the ingress has nothing to send requests to. Not with scale to zero.
resource "azurerm_monitor_metric_alert" "no_replica" {
  count               = var.min_replicas > 0 ? 1 : 0
  name                = "${local.prefix}-no-replica"
  resource_group_name = data.azurerm_resource_group.this.name
  scopes              = [azurerm_container_app.api.id]
  description         = "The API has had no running replica for 5 minutes."
  severity            = 1
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.App/containerApps"
    metric_name      = "Replicas"
    aggregation      = "Maximum"
    operator         = "LessThan"
    threshold        = 1
  }

  action {
    action_group_id = azurerm_monitor_action_group.ops.id
  }
}

locals {
  # The API's JSON log lines (RATES_LOG_FORMAT=json). With the log-analytics
  # destination each line lands whole in Log_s of ContainerAppConsoleLogs_CL
  # (the environment's DynamicJsonColumns is off by default).
  api_log_lines = <<-KQL
    ContainerAppConsoleLogs_CL
    | where ContainerAppName_s == "${azurerm_container_app.api.name}"
    | extend entry = parse_json(Log_s)
    | extend message = tostring(entry.fields.message)
  KQL
  # One request line per answer: fields.status, fields.latency_us, span.route.
  # Probes are left out: /readyz answers 503 while a replica starts or drains.
  api_requests = <<-KQL
    ${local.api_log_lines}| where message == "request"
    | extend status = toint(entry.fields.status), route = tostring(entry.span.route)
    | where route !in ("/livez", "/readyz", "/health")
  KQL

  # The service's stable WARN lines (the README's "Observability"): each is
  # logged once when the trouble starts, so any line in the window alerts.
  # Credentials: a token that cannot be renewed (renewals run at half-life)
  # and a store that cannot be read both log it on every retry, seconds
  # apart; a few in 15 minutes is more than a blip.
  log_line_alerts = {
    stale-data = {
      message     = "read model catch-up failed"
      description = "A replica's data stopped following the database; it reports not ready after max_staleness_secs (60 s)."
      severity    = 2
      window      = "PT5M"
      threshold   = 0
    }
    database-unreachable = {
      message     = "not ready: database unreachable"
      description = "A replica cannot reach the database at start-up."
      severity    = 1
      window      = "PT5M"
      threshold   = 0
    }
    credential-refresh-failures = {
      message     = "cannot read database credentials"
      description = "Re-reading the database credentials (Entra token, Key Vault) keeps failing: the token expires or a rotation is missed."
      severity    = 1
      window      = "PT15M"
      threshold   = 5
    }
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "log_line" {
  for_each             = local.log_line_alerts
  name                 = "${local.prefix}-${each.key}"
  resource_group_name  = data.azurerm_resource_group.this.name
  location             = data.azurerm_resource_group.this.location
  scopes               = [azurerm_log_analytics_workspace.this.id]
  description          = each.value.description
  severity             = each.value.severity
  evaluation_frequency = "PT5M"
  window_duration      = each.value.window
  # The table appears with the first log line, after this is created.
  skip_query_validation   = true
  auto_mitigation_enabled = true
  tags                    = local.tags

  criteria {
    query                   = "${local.api_log_lines}| where message startswith \"${each.value.message}\"\n"
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = each.value.threshold
  }

  action {
    action_groups = [azurerm_monitor_action_group.ops.id]
  }
}

# More than 1% of answers 5xx over 5 minutes (deploy/observability's
# RatesHighErrorRatio; the platform alert above counts the ingress' 5xx).
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "error_ratio" {
  name                    = "${local.prefix}-5xx-ratio"
  resource_group_name     = data.azurerm_resource_group.this.name
  location                = data.azurerm_resource_group.this.location
  scopes                  = [azurerm_log_analytics_workspace.this.id]
  description             = "More than 1% of API requests answered 5xx in 5 minutes."
  severity                = 2
  evaluation_frequency    = "PT5M"
  window_duration         = "PT5M"
  skip_query_validation   = true
  auto_mitigation_enabled = true
  tags                    = local.tags

  criteria {
    query                   = <<-KQL
      ${local.api_requests}| summarize total = count(), failed = countif(status >= 500)
      | where total > 0
      | extend ratio = todouble(failed) / total
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "ratio"
    operator                = "GreaterThan"
    threshold               = 0.01
  }

  action {
    action_groups = [azurerm_monitor_action_group.ops.id]
  }
}

# /rates p99 above 1 s over 10 minutes (RatesSlowRatesP99; answers come from
# memory in milliseconds).
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "p99_latency" {
  name                    = "${local.prefix}-rates-p99"
  resource_group_name     = data.azurerm_resource_group.this.name
  location                = data.azurerm_resource_group.this.location
  scopes                  = [azurerm_log_analytics_workspace.this.id]
  description             = "The 99th percentile of /rates latency was above 1 s over 10 minutes."
  severity                = 3
  evaluation_frequency    = "PT5M"
  window_duration         = "PT10M"
  skip_query_validation   = true
  auto_mitigation_enabled = true
  tags                    = local.tags

  criteria {
    query                   = <<-KQL
      ${local.api_requests}| where route == "/rates"
      | summarize p99_ms = percentile(todouble(entry.fields.latency_us), 99) / 1000.0
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "p99_ms"
    operator                = "GreaterThan"
    threshold               = 1000
  }

  action {
    action_groups = [azurerm_monitor_action_group.ops.id]
  }
}
