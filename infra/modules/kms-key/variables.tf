variable "alias" {
  type        = string
  description = "Alias of the key, without the alias/ prefix, e.g. tattoo-dev-logs."
}

variable "description" {
  type        = string
  description = "Description of the key."
}

variable "service_principals" {
  type        = list(string)
  description = "Service principals that may use the key (encrypt, decrypt, generate data keys)."
  default     = []
}

variable "organization_id" {
  type        = string
  description = "When set, services may use the key on behalf of any account of this organization (aws:SourceOrgID); otherwise only for this account (aws:SourceAccount)."
  default     = null
}

variable "external_principals" {
  type = list(object({
    sid                    = string
    account_roots          = list(string)
    principal_arn_patterns = list(string)
  }))
  description = "Principals of other accounts that may use the key: account roots narrowed by aws:PrincipalArn patterns."
  default     = []
}

variable "deletion_window_days" {
  type        = number
  description = "Waiting period before a scheduled deletion takes effect."
  default     = 30

  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags of the key."
  default     = {}
}
