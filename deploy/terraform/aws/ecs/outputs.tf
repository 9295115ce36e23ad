output "url" {
  description = "Point your DNS name (the certificate's) at alb_dns_name; this is the ALB's own name."
  value       = "https://${aws_lb.main.dns_name}"
}

output "alb_dns_name" {
  value = aws_lb.main.dns_name
}

output "image_tag" {
  description = "The deployed release: pass it back when planning by hand."
  value       = var.image_tag
}

output "cluster" {
  value = aws_ecs_cluster.main.name
}

output "service" {
  value = aws_ecs_service.api.name
}

output "task_families" {
  description = "One-shot task definition families for `aws ecs run-task` (migrate, bootstrap, rotate)."
  value       = { for k, v in aws_ecs_task_definition.one_shot : k => v.family }
}

# `aws ecs run-task --network-configuration` for the one-shot tasks.
output "run_task_network_configuration" {
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = aws_subnet.private[*].id
      securityGroups = [aws_security_group.tasks.id]
      assignPublicIp = "DISABLED"
    }
  })
}

output "log_group" {
  value = aws_cloudwatch_log_group.tasks.name
}

output "db_address" {
  value = aws_db_instance.main.address
}

output "db_resource_id" {
  description = "The DbiResourceId in the rds-db:connect ARNs."
  value       = aws_db_instance.main.resource_id
}

output "api_secret_arn" {
  value = aws_secretsmanager_secret.api.arn
}
