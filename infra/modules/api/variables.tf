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

variable "lambda_invoke_arn" {
  type        = string
  description = "Invoke ARN of the API Lambda."
}

variable "lambda_function_arn" {
  type        = string
  description = "ARN of the API Lambda."
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key of the access log group."
}

variable "access_log_destination_arn" {
  type        = string
  description = "CloudWatch Logs destination (audit account, same region) that forwards access logs to the log archive; null keeps them local."
  default     = null
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the access log group in this account."
  default     = 30
}

variable "throttling_burst_limit" {
  type        = number
  description = "Burst limit of the default route."
  default     = 200
}

variable "throttling_rate_limit" {
  type        = number
  description = "Steady requests per second of the default route."
  default     = 100
}
