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

variable "key_administrator_arns" {
  type        = list(string)
  description = "IAM principals (roles) allowed to administer the KMS keys; the account root always is."
  default     = []
}

variable "key_names" {
  type        = list(string)
  description = "Customer-managed KMS keys to create, one per purpose (data, logs, secrets, ecr, ...)."
  default     = ["data", "logs", "secrets", "ecr", "sns"]

  validation {
    condition     = length(var.key_names) > 0 && alltrue([for k in var.key_names : can(regex("^[a-z][a-z0-9-]*$", k))])
    error_message = "key_names must be non-empty lowercase identifiers."
  }
}

variable "deletion_window_days" {
  type        = number
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}

variable "signature_validity_days" {
  type        = number
  description = "How long a Lambda code signature made by the signing profile stays valid."
  default     = 365
}

variable "untrusted_artifact_action" {
  type        = string
  description = "What Lambda does with code not signed by the profile: Warn (dev) or Enforce (prod)."
  default     = "Enforce"

  validation {
    condition     = contains(["Warn", "Enforce"], var.untrusted_artifact_action)
    error_message = "untrusted_artifact_action must be Warn or Enforce."
  }
}
