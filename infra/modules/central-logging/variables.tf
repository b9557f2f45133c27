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

variable "streams" {
  type        = map(object({ bucket_arn = string }))
  description = "Log streams to deliver, e.g. { waf = { bucket_arn = ... }, api-access = { ... } }: bucket in the log archive account."
}

variable "source_account_ids" {
  type        = list(string)
  description = "Accounts whose log groups may subscribe to the destinations (the app account)."

  validation {
    condition     = alltrue([for a in var.source_account_ids : can(regex("^[0-9]{12}$", a))])
    error_message = "source_account_ids must be 12-digit account ids."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key (audit foundation) for Firehose encryption."
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key (audit foundation) for the security log group."
}

variable "archive_kms_key_arn" {
  type        = string
  description = "KMS key of the log archive buckets."
}

variable "security_log_group" {
  type        = bool
  description = "Create the audit account's security events log group here (once, in the primary region)."
  default     = true
}
