output "bucket_arns" {
  description = "ARN of each log bucket, by log type (cloudtrail, config, vpc-flow, waf, access)."
  value       = { for k, b in module.bucket : k => b.arn }
}

output "bucket_names" {
  description = "Name of each log bucket, by log type."
  value       = { for k, b in module.bucket : k => b.id }
}

output "kms_key_arn" {
  description = "KMS key of the log archive (primary region); also the archive backup vault's key."
  value       = module.key.arn
}

output "dr_kms_key_arn" {
  description = "KMS key of the log archive in the DR region (replicas, DR backup vault)."
  value       = module.dr_key.arn
}

output "replica_bucket_arns" {
  description = "DR replica of each log bucket (empty without replication)."
  value       = { for k, b in module.replica : k => b.arn }
}
