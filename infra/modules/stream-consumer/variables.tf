variable "name" {
  type        = string
  description = "Function name; also names its role, log group and on-failure queue."

  validation {
    condition     = can(regex("^[A-Za-z0-9-_]{1,56}$", var.name))
    error_message = "name must be 1-56 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  type        = string
  description = "Function description."
}

variable "source_dir" {
  type        = string
  description = "Directory with the function's code, zipped by an archive_file data source (used when package_path is null)."
  default     = null
}

variable "package_path" {
  type        = string
  description = "Path of a ready, signed zip package; overrides source_dir."
  default     = null

  validation {
    condition     = var.package_path == null || endswith(coalesce(var.package_path, "x.zip"), ".zip")
    error_message = "package_path must be a .zip file."
  }
}

variable "handler" {
  type        = string
  description = "Python handler, module.function."
  default     = "handler.handler"
}

variable "table_arn" {
  type        = string
  description = "ARN of the DynamoDB table whose stream feeds the function."
}

variable "stream_arn" {
  type        = string
  description = "ARN of the table's stream (view type NEW_AND_OLD_IMAGES)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:dynamodb:[^:]+:[0-9]{12}:table/[^/]+/stream/", var.stream_arn))
    error_message = "stream_arn must be a DynamoDB stream ARN."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (two AZs) for the function's ENIs."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the function."
}

variable "environment" {
  type        = map(string)
  description = "Environment variables of the function."
  default     = {}
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the function's environment and the on-failure queue."
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key for the function's log group."
}

variable "decrypt_kms_key_arns" {
  type        = list(string)
  description = "KMS keys the function may decrypt with (table, queue, secrets)."
}

variable "code_signing_config_arn" {
  type        = string
  description = "Lambda code signing config (from the foundation module)."
  default     = null
}

variable "extra_policy_statements" {
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    # For actions without resource-level permissions, scoped by condition keys instead.
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  description = "Further least-privilege statements for the function's role (the backend it writes to), with optional conditions."
  default     = []
}

variable "timeout_seconds" {
  type        = number
  description = "Function timeout."
  default     = 60
}

variable "memory_mb" {
  type        = number
  description = "Function memory."
  default     = 256
}

variable "batch_size" {
  type        = number
  description = "Stream records per invocation."
  default     = 100

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be 1-10000."
  }
}

variable "batching_window_seconds" {
  type        = number
  description = "How long to gather records before invoking."
  default     = 1
}

variable "parallelization_factor" {
  type        = number
  description = "Concurrent batches per shard (order is kept per item key)."
  default     = 1

  validation {
    condition     = var.parallelization_factor >= 1 && var.parallelization_factor <= 10
    error_message = "parallelization_factor must be 1-10."
  }
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failing batch before its records go to the on-failure queue."
  default     = 5

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 10000
    error_message = "maximum_retry_attempts must be 0-10000 (never unbounded)."
  }
}

variable "maximum_record_age_seconds" {
  type        = number
  description = "Records older than this go to the on-failure queue instead of blocking the shard."
  default     = 3600

  validation {
    condition     = var.maximum_record_age_seconds >= 60 && var.maximum_record_age_seconds <= 86400
    error_message = "maximum_record_age_seconds must be 60-86400 (never unbounded)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's log group."
  default     = 90
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource."
  default     = {}
}
