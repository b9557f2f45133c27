output "table_name" {
  description = "Name of the directory table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the directory table."
  value       = aws_dynamodb_table.this.arn
}

output "stream_arn" {
  description = "ARN of the table stream (NEW_AND_OLD_IMAGES)."
  value       = aws_dynamodb_table.this.stream_arn
}

output "site_bucket_id" {
  description = "Static-site bucket name."
  value       = aws_s3_bucket.site.id
}

output "site_bucket_arn" {
  description = "Static-site bucket ARN."
  value       = aws_s3_bucket.site.arn
}

output "site_bucket_regional_domain_name" {
  description = "Regional domain of the static-site bucket (CloudFront origin)."
  value       = aws_s3_bucket.site.bucket_regional_domain_name
}
