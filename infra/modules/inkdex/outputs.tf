output "endpoint" {
  description = "gRPC endpoint (host:443, TLS) of the internal load balancer, for the API Lambdas."
  value       = "${aws_lb.this.dns_name}:443"
}

output "repository_url" {
  description = "ECR repository to push inkdex-server images to."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "ECS cluster of the service."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.this.name
}

output "feed_mode" {
  description = "stream or forwarder: how the replicas follow the table."
  value       = local.feed_mode
}

output "write_token_secret_arn" {
  description = "Secrets Manager secret holding the write token."
  value       = aws_secretsmanager_secret.write_token.arn
}

output "client_security_group_id" {
  description = "Security group of the load balancer (allowed clients reach it on 443)."
  value       = aws_security_group.lb.id
}

output "forwarder_function_name" {
  description = "Stream forwarder function, or null in stream mode."
  value       = local.use_forwarder ? module.forwarder[0].function_name : null
}

output "task_role_arn" {
  description = "Task role (table scan and stream reads only)."
  value       = aws_iam_role.task.arn
}
