output "kms_key_arn" {
  description = "KMS key of the audit account (Firehose, log groups, SNS)."
  value       = aws_kms_key.audit.arn
}
