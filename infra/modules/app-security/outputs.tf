output "web_acl_arn" {
  description = "ARN of the CloudFront web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "secret_arns" {
  description = "ARN of each app secret."
  value       = { for k, s in aws_secretsmanager_secret.app : k => s.arn }
}
