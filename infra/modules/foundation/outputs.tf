output "kms_key_arns" {
  description = "ARN of each customer-managed KMS key, by purpose."
  value       = { for k, v in aws_kms_key.this : k => v.arn }
}

output "kms_key_ids" {
  description = "Key id of each customer-managed KMS key, by purpose."
  value       = { for k, v in aws_kms_key.this : k => v.key_id }
}

output "code_signing_config_arn" {
  description = "Lambda code signing config that every function in the account uses."
  value       = aws_lambda_code_signing_config.this.arn
}

output "signing_profile_name" {
  description = "Signer profile that CI uses to sign Lambda packages."
  value       = aws_signer_signing_profile.lambda.name
}

output "edge_logs_kms_key_arn" {
  description = "KMS key in us-east-1 for the WAF (CLOUDFRONT scope) log group."
  value       = module.edge_key.arn
}
