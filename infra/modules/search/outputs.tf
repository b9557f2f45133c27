output "endpoint" {
  description = "HTTPS endpoint of the domain."
  value       = aws_opensearch_domain.this.endpoint
}

output "domain_arn" {
  description = "ARN of the domain."
  value       = aws_opensearch_domain.this.arn
}

output "zone_awareness_enabled" {
  description = "Whether the domain spreads over two AZs."
  value       = local.zone_aware
}
