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

variable "managed_rules" {
  type        = list(string)
  description = "AWS managed Config rules to enable."
  default     = ["DYNAMODB_PITR_ENABLED", "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_DEFAULT_ENCRYPTION_KMS", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", "LAMBDA_INSIDE_VPC", "ECS_TASK_DEFINITION_NONROOT_USER"]
}
