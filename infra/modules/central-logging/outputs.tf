output "destination_arns" {
  description = "CloudWatch Logs destination ARN per stream, for subscription filters in the app account."
  value       = { for k, d in aws_cloudwatch_log_destination.this : k => d.arn }
}

output "firehose_arns" {
  description = "Firehose ARN per stream."
  value       = { for k, f in aws_kinesis_firehose_delivery_stream.this : k => f.arn }
}

output "security_log_group_name" {
  description = "Log group for aggregated security events (null when not created here)."
  value       = one(aws_cloudwatch_log_group.security[*].name)
}

output "firehose_role_arn" {
  description = "Role the Firehose streams write to the log archive with (allowed by log-storage)."
  value       = aws_iam_role.firehose.arn
}
