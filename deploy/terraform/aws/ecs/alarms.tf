# Service alarms: the ALB's own metrics (5xx ratio, p99 response time,
# target health), and metric filters on the API's JSON log lines for what
# only the service knows. They mirror deploy/observability/alerts.yml.
locals {
  alarm_actions = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
  alb_dimensions = {
    LoadBalancer = aws_lb.main.arn_suffix
    TargetGroup  = aws_lb_target_group.api.arn_suffix
  }
}

# More than 1% of requests answered 5xx (by the tasks or by the ALB itself,
# e.g. 502/503 with no healthy target) for 3 of 5 minutes.
resource "aws_cloudwatch_metric_alarm" "http_5xx_rate" {
  alarm_name          = "${local.prefix}-5xx-rate"
  alarm_description   = "rates: more than 1% of requests failed with 5xx"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 1
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests"
    label       = "5xx %"
    return_data = true
  }
  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.alb_dimensions
      period      = 60
      stat        = "Sum"
    }
  }
}

# p99 above 1 s for 5 minutes (the API answers in milliseconds from memory).
resource "aws_cloudwatch_metric_alarm" "target_response_time" {
  alarm_name          = "${local.prefix}-response-time-p99"
  alarm_description   = "rates: p99 target response time above 1 s"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = local.alb_dimensions
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Any target failing /readyz for 3 minutes (a deploy's new tasks are covered
# by the circuit breaker; this catches the running ones).
resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${local.prefix}-unhealthy-hosts"
  alarm_description   = "rates: targets failing the /readyz health check"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = local.alb_dimensions
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# No target passing /readyz for 2 minutes: the ALB answers 503 to everyone.
# No data (no target registered at all) counts as none healthy.
resource "aws_cloudwatch_metric_alarm" "no_healthy_hosts" {
  alarm_name          = "${local.prefix}-no-healthy-hosts"
  alarm_description   = "rates: no target passes the /readyz health check"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = local.alb_dimensions
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# The service's stable WARN lines (README, "Observability"), counted by
# metric filters on the tasks' log group (RATES_LOG_FORMAT=json: each line
# is one JSON event; fields.message starts with the text). Stale data and an
# unreachable database are logged once when they start, so any line alarms.
# Credentials: an RDS IAM token or a Secrets Manager secret that cannot be
# read is retried every few seconds, each try logged; a few in 15 minutes
# is more than a blip, and the token (renewed at half-life) runs out.
locals {
  log_line_alarms = {
    stale-data = {
      metric      = "ReadModelCatchUpFailed"
      message     = "read model catch-up failed"
      description = "rates: a task's data stopped following the database (it reports not ready after max_staleness_secs)"
      period      = 300
      threshold   = 0
    }
    database-unreachable = {
      metric      = "DatabaseUnreachable"
      message     = "not ready: database unreachable"
      description = "rates: a task cannot reach the database at start-up"
      period      = 300
      threshold   = 0
    }
    credential-refresh-failures = {
      metric      = "CredentialRefreshFailures"
      message     = "cannot read database credentials"
      description = "rates: re-reading the database credentials keeps failing (token expiry, missed rotation)"
      period      = 900
      threshold   = 5
    }
  }
}

resource "aws_cloudwatch_log_metric_filter" "log_line" {
  for_each       = local.log_line_alarms
  name           = "${local.prefix}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.tasks.name
  pattern        = "{ $.fields.message = \"${each.value.message}*\" }"

  metric_transformation {
    name      = each.value.metric
    namespace = "rates/${local.prefix}"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "log_line" {
  for_each            = local.log_line_alarms
  alarm_name          = "${local.prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = aws_cloudwatch_log_metric_filter.log_line[each.key].metric_transformation[0].namespace
  metric_name         = aws_cloudwatch_log_metric_filter.log_line[each.key].metric_transformation[0].name
  statistic           = "Sum"
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching" # no matching line, no data point
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
