locals {
  # The port the binary listens on (contract: 0.0.0.0:3000, EXPOSE 3000).
  container_port = 3000
}

# The API is public by design: the ALB is its only way in (HTTPS, and HTTP
# that only redirects).
# trivy:ignore:AWS-0053
resource "aws_lb" "main" {
  # checkov:skip=CKV2_AWS_28: a WAF web ACL is the operator's choice (cost, rules); attach one with aws_wafv2_web_acl_association
  # checkov:skip=CKV_AWS_91: access logs need a bucket with an ELB delivery policy; set alb_access_logs_bucket to turn them on
  name                       = local.prefix
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = aws_subnet.public[*].id
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  # Below the server's keep-alive timeout (75 s), so the ALB, not the task,
  # closes idle connections and never sends on a socket the task closed.
  idle_timeout               = 60
  enable_deletion_protection = local.prod

  dynamic "access_logs" {
    for_each = var.alb_access_logs_bucket == null ? [] : [var.alb_access_logs_bucket]
    content {
      bucket  = access_logs.value
      prefix  = local.prefix
      enabled = true
    }
  }
}

resource "aws_lb_target_group" "api" {
  name        = "${local.prefix}-api"
  port        = local.container_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id
  # Equal to RATES_SHUTDOWN_DELAY_SECS: the task answers /readyz 503 and
  # keeps serving for exactly as long as the ALB may still route to it.
  deregistration_delay = var.shutdown_delay_secs

  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}
