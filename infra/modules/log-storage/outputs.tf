output "bucket_arns" {
  description = "ARN of each log bucket, by log type."
  value       = { for k, b in aws_s3_bucket.log : k => b.arn }
}

output "bucket_names" {
  description = "Name of each log bucket, by log type."
  value       = { for k, b in aws_s3_bucket.log : k => b.id }
}

output "kms_key_arn" {
  description = "KMS key of the log archive."
  value       = aws_kms_key.archive.arn
}
