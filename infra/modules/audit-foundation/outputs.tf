output "kms_key_arn" {
  description = "KMS key of the audit account (Firehose, log groups, SNS), primary region."
  value       = module.key.arn
}

output "edge_kms_key_arn" {
  description = "KMS key of the audit account in us-east-1 (WAF log Firehose and log group)."
  value       = module.edge_key.arn
}
