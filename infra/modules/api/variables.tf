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
