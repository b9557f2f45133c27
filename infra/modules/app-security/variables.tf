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

variable "rate_limit_per_5min" {
  type        = number
  description = "Requests per 5 minutes from one IP before WAF blocks it."
  default     = 2000

  validation {
    condition     = var.rate_limit_per_5min >= 100
    error_message = "rate_limit_per_5min must be at least 100."
  }
}

variable "waf_logs_kms_key_arn" {
  type        = string
  description = "KMS key (in us-east-1) for the WAF log group."
}

variable "waf_log_destination_arn" {
  type        = string
  description = "CloudWatch Logs destination in the audit account for WAF logs (us-east-1)."
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key for the app secrets."
}

variable "secret_names" {
  type        = list(string)
  description = "App secrets to create (values set out of band), e.g. scraper credentials."
  default     = ["scraper/instagram"]
}
