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

variable "kms_key_arn" {
  type        = string
  description = "KMS key (foundation data key) for the table, its stream and the site bucket."
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the table from deletion."
  default     = true
}

variable "access_logs_bucket" {
  type        = string
  description = "Bucket of the same account and region receiving the site bucket's S3 server access logs; null disables them."
  default     = null
}
