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
  description = "AWS Organizations id (o-...): only the organization's accounts may deliver logs."

  validation {
    condition     = can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-xxxxxxxxxx."
  }
}

variable "audit_account_id" {
  type        = string
  description = "Audit account: its Config recorder and Firehose roles write here."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.audit_account_id))
    error_message = "audit_account_id must be 12 digits."
  }
}

variable "app_account_id" {
  type        = string
  description = "Infrastructure (app) account: its VPC flow logs and Config deliveries write here."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.app_account_id))
    error_message = "app_account_id must be 12 digits."
  }
}

variable "firehose_role_arns" {
  type        = list(string)
  description = "The audit account's Firehose delivery roles (central-logging), allowed to write the waf and access buckets."
}

variable "object_lock_days" {
  type        = number
  description = "Compliance-mode object lock retention of every log object."
  default     = 365

  validation {
    condition     = var.object_lock_days >= 1
    error_message = "object_lock_days must be positive."
  }
}

variable "transition_ia_days" {
  type        = number
  description = "Days before log objects move to STANDARD_IA."
  default     = 30
}

variable "transition_glacier_days" {
  type        = number
  description = "Days before log objects move to GLACIER."
  default     = 90
}

variable "expiration_days" {
  type        = number
  description = "Days before log objects expire (after object lock)."
  default     = 2555

  validation {
    condition     = var.expiration_days > var.object_lock_days
    error_message = "expiration_days must exceed object_lock_days."
  }
}

variable "replication_enabled" {
  type        = bool
  description = "Replicate every log bucket to an object-locked bucket in the DR region (provider aws.dr)."
  default     = true
}
