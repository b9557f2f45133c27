variable "name_prefix" {
  type        = string
  description = "Prefix for every resource name, e.g. tattoo-dev."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource."
  default     = {}
}

variable "securityhub_standard_arns" {
  type        = list(string)
  description = "Security Hub standards to subscribe to (e.g. AWS Foundational Security Best Practices)."
  default     = []
}

variable "config_bucket_name" {
  type        = string
  description = "Log archive bucket for AWS Config deliveries."
}

variable "archive_kms_key_arn" {
  type        = string
  description = "KMS key of the log archive buckets."
}

variable "inspector_account_ids" {
  type        = list(string)
  description = "Accounts where Inspector scans ECR images and Lambdas (the app account)."

  validation {
    condition     = length(var.inspector_account_ids) > 0
    error_message = "give at least one account."
  }
}
