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

variable "vpc_id" {
  type        = string
  description = "VPC."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets."
}

variable "role_arns" {
  type        = map(string)
  description = "Roles from the iam module: api, scrape-machine, scrape-scheduler, scraper-task, scraper-execution."
}

variable "api_package_path" {
  type        = string
  description = "Signed zip of the API Lambda."
}

variable "code_signing_config_arn" {
  type        = string
  description = "Code signing config."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for environments and queues."
}

variable "table_name" {
  type        = string
  description = "Directory table."
}

variable "search_backend" {
  type        = string
  description = "inkdex, opensearch or both."

  validation {
    condition     = contains(["inkdex", "opensearch", "both"], var.search_backend)
    error_message = "search_backend must be inkdex, opensearch or both."
  }
}

variable "search_environment" {
  type        = map(string)
  description = "Search endpoints for the API (INKDEX_ENDPOINT, OPENSEARCH_ENDPOINT)."
  default     = {}
}

variable "logs_kms_key_arn" {
  type        = string
  description = "KMS key of the log groups."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the scrapers' and state machine's log groups."
  default     = 90
}

variable "scraper_image" {
  type        = string
  description = "Image of the scraper container (repository:tag)."
}

variable "scraper_workers" {
  type        = number
  description = "Parallel scraper tasks per run."
  default     = 2

  validation {
    condition     = var.scraper_workers >= 1 && var.scraper_workers <= 20
    error_message = "scraper_workers must be 1-20."
  }
}

variable "scrape_schedule" {
  type        = string
  description = "EventBridge Scheduler expression of the scrape run."
  default     = "cron(0 2 * * ? *)"
}
