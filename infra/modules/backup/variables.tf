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

variable "organization_id" {
  type        = string
  description = "Organization whose accounts may copy into the archive vault."
}

variable "vault_kms_key_arn" {
  type        = string
  description = "KMS key of the log archive vault (primary region)."
}

variable "vault_dr_kms_key_arn" {
  type        = string
  description = "KMS key of the log archive vault (DR region)."
}

variable "local_kms_key_arn" {
  type        = string
  description = "KMS key of the app account's local vault."
}

variable "retention_days" {
  type        = number
  description = "Retention of copies in the archive vaults."
  default     = 365

  validation {
    condition     = var.retention_days >= 7
    error_message = "retention_days must be at least 7."
  }
}

variable "resource_arns" {
  type        = list(string)
  description = "Resources to back up (the directory table)."
}
